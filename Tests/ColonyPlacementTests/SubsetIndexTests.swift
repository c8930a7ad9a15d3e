import ColonyPlacement
import Testing

@Suite("subset ranks and the overlap index")
struct SubsetIndexTests {
    @Test("ranks number every set of k of n nodes once, densely, and invert")
    func ranksAreDense() {
        for (size, nodes) in [(1, 5), (2, 9), (3, 10), (4, 12), (5, 11)] {
            let rank = SubsetRank(size: size, nodeCount: nodes)!
            var seen = Set<UInt64>()
            _ = Rules.anySubset(of: Array(0..<nodes), size: size) { set in
                let value = rank.rank(sorted: set)
                #expect(value < rank.count)
                #expect(rank.indices(of: value) == set)
                seen.insert(value)
                return false
            }
            #expect(UInt64(seen.count) == rank.count)
        }
        #expect(SubsetRank(size: 9, nodeCount: 10_000) == nil)
    }

    @Test("a set held by two cells stays held until both are removed, dense or hashed, and survives growth")
    func holdersAreCounted() {
        for denseBitsMax in [UInt64(1) << 30, 0] {
            var index = SubsetIndex(size: 3, nodeCount: 20, denseBitsMax: denseBitsMax)!
            let key = index.rank.rank(sorted: [2, 7, 19])
            index.insert(key)
            index.insert(key)
            #expect(index.setsHeldMoreThanOnce == [key: 2])
            let removedOnce = index.remove(key)
            #expect(removedOnce && index.contains(key))
            let removedTwice = index.remove(key)
            #expect(removedTwice && !index.contains(key))
            let removedThrice = index.remove(key)
            #expect(!removedThrice)
            index.insert(key)
            let grown = index.grow(toNodeCount: 400)
            #expect(grown)
            #expect(index.contains(index.rank.rank(sorted: [2, 7, 19])))
            #expect(!index.contains(index.rank.rank(sorted: [2, 7, 399])))
        }
    }
}
