#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The arithmetic of the ideal beside the measured figures: how many node sets exist, how
/// often two uniformly random cells share `k` nodes (hypergeometric), and how many
/// majority-size node sets uniformly random placement puts inside `j` or more cells (binomial).
public struct IdealFigures: Hashable, Sendable, Codable {
    /// `C(n, r)`: the distinct node sets a cell of `r` replicas can have among `n` nodes.
    public var nodeSets: Double
    /// `C(n, m)`: the distinct node sets of a majority `m`.
    public var majoritySets: Double
    /// `C(n, m) / C(r, m)`: the most cells that can share fewer than `m` nodes pairwise,
    /// since each holds `C(r, m)` majority sets and no set may be in two.
    public var cellsMaxSharingLessThanMajority: Double
    /// `overlapChance[k]`: the chance that two uniformly random cells share exactly `k` nodes.
    public var overlapChance: [Double]
    /// `randomPairs[k]`: the expected pairs of cells sharing exactly `k` nodes, for this many
    /// cells placed uniformly at random.
    public var randomPairs: [Double]
    /// `randomMajoritySetsInAtLeast[j]`: the expected majority sets inside `j` or more cells
    /// under uniformly random placement, for `j` from 0 while it is at least 0.001 (65 values at most).
    public var randomMajoritySetsInAtLeast: [Double]

    /// The ideal for `cells` cells of `replicas` replicas among `nodes` nodes.
    public init(nodes: Int, replicas: Int, cells: Int) {
        let majority = replicas / 2 + 1
        nodeSets = Self.binomial(nodes, replicas)
        majoritySets = Self.binomial(nodes, majority)
        cellsMaxSharingLessThanMajority = majoritySets / Self.binomial(replicas, majority)
        overlapChance = (0...replicas).map { shared in
            Self.binomial(replicas, shared) * Self.binomial(nodes - replicas, replicas - shared) / Self.binomial(nodes, replicas)
        }
        let pairs = Double(cells) * Double(cells - 1) / 2
        randomPairs = overlapChance.map { $0 * pairs }
        // A given majority set lies inside a random cell with chance C(r, m) / C(n, m).
        let inside = min(1, Self.binomial(replicas, majority) / majoritySets)
        var atLeast: [Double] = []
        for holders in 0...max(cells, 0) {
            let expected = majoritySets * Self.binomialTail(trials: cells, chance: inside, atLeast: holders)
            guard expected >= 0.001 || holders == 0 else { break }
            atLeast.append(expected)
            if atLeast.count > 64 { break }
        }
        randomMajoritySetsInAtLeast = atLeast
    }

    /// The largest `j` for which random placement is expected to put at least one majority
    /// set inside `j` cells: about the most cells its worst majority of node failures takes.
    public var randomWorstMajoritySetExpected: Int {
        (randomMajoritySetsInAtLeast.lastIndex { $0 >= 1 }) ?? 0
    }

    /// `C(n, k)` as a floating-point number (0 when `k` is out of range).
    public static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        return exp(logBinomial(n, k)).rounded()
    }

    private static func logBinomial(_ n: Int, _ k: Int) -> Double {
        lgamma(Double(n) + 1) - lgamma(Double(k) + 1) - lgamma(Double(n - k) + 1)
    }

    /// The chance that at least `atLeast` of `trials` independent events of chance `chance` happen.
    static func binomialTail(trials: Int, chance: Double, atLeast: Int) -> Double {
        guard atLeast > 0 else { return 1 }
        guard atLeast <= trials, chance > 0 else { return 0 }
        guard chance < 1 else { return 1 }
        func probability(_ count: Int) -> Double {
            exp(logBinomial(trials, count) + Double(count) * log(chance) + Double(trials - count) * log1p(-chance))
        }
        let mean = Double(trials) * chance
        if Double(atLeast) <= mean {
            let below = (0..<atLeast).reduce(0.0) { $0 + probability($1) }
            return max(0, 1 - below)
        }
        var total = 0.0
        for count in atLeast...trials {
            let term = probability(count)
            total += term
            if term < total * 1e-17 || term == 0 { break }
        }
        return total
    }
}
