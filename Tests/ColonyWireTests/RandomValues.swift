import ColonyCore

/// Draws random but valid core values from a seed, so a failing round trip replays exactly.
///
/// Numbers lean towards the edges (0, 1, the type's maximum) where encodings change length;
/// strings mix ASCII, multi-byte UTF-8 and NUL; lists stay short to keep the tests fast.
struct RandomValues {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func below(_ bound: Int) -> Int {
        Int.random(in: 0..<bound, using: &generator)
    }

    mutating func bool() -> Bool {
        Bool.random(using: &generator)
    }

    mutating func pick<Element>(_ options: [Element]) -> Element {
        options[below(options.count)]
    }

    mutating func number() -> UInt64 {
        switch below(5) {
        case 0: return pick([0, 1, 127, 128, 16_383, 16_384, UInt64.max, UInt64.max - 1])
        case 1: return generator.next()
        case 2: return generator.next() >> (generator.next() % 64)
        default: return UInt64(below(1_000))
        }
    }

    /// A cell counter (epoch, round, slot, revision): never above `CounterBounds.decodedMax`,
    /// the bound itself among the edges.
    mutating func counter() -> UInt64 {
        switch below(5) {
        case 0: return pick([0, 1, 127, 128, 16_383, 16_384, CounterBounds.decodedMax, CounterBounds.decodedMax - 1])
        case 1: return generator.next() % (CounterBounds.decodedMax + 1)
        case 2: return generator.next() >> (2 + generator.next() % 62)
        default: return UInt64(below(1_000))
        }
    }

    mutating func signed() -> Int64 {
        switch below(4) {
        case 0: return pick([0, 1, -1, 63, -64, 64, Int64.max, Int64.min])
        case 1: return Int64(bitPattern: generator.next())
        default: return Int64(below(2_001)) - 1_000
        }
    }

    mutating func int() -> Int {
        Int(signed())
    }

    mutating func count() -> Int {
        switch below(3) {
        case 0: return pick([0, 1, Int.max])
        default: return below(100_000)
        }
    }

    mutating func list<Element>(upTo bound: Int, _ element: (inout RandomValues) -> Element) -> [Element] {
        (0..<below(bound + 1)).map { _ in element(&self) }
    }

    mutating func key() -> Key {
        let pieces = ["a", "b", "k", "z", "/", "-", "0", "é", "日", "🦀", "\u{0}", "ß"]
        return Key(list(upTo: 8) { $0.pick(pieces) }.joined())
    }

    mutating func bytes() -> Bytes {
        list(upTo: 12) { $0.pick([0, 1, 0x7F, 0x80, 0xFF, UInt8(truncatingIfNeeded: $0.below(256))]) }
    }

    mutating func nodeID() -> NodeID {
        NodeID(pick([0, 1, 2, 3, 200, UInt32.max, UInt32(truncatingIfNeeded: generator.next())]))
    }

    mutating func cellID() -> CellID {
        let characters = Array("abcXYZ019-_./:")
        let length = 1 + below(20)
        return CellID(String((0..<length).map { _ in pick(characters) }))
    }

    mutating func clientID() -> ClientID {
        ClientID(pick([0, 1, UInt64.max, generator.next()]))
    }

    mutating func requestID() -> RequestID {
        RequestID(client: clientID(), sequence: number())
    }

    mutating func ballot() -> Ballot {
        Ballot(epoch: counter(), round: counter(), node: nodeID())
    }

    mutating func membershipChange() -> MembershipChange {
        MembershipChange(remove: nodeID(), add: nodeID())
    }

    mutating func limits() -> CellLimits {
        CellLimits(
            keyBytesMax: count(), valueBytesMax: count(), keysMax: count(), cellBytesMax: count(),
            transactionStepsMax: count(), sessionsMax: count()
        )
    }

    /// A valid configuration whose log starts at slot 1 or later.
    mutating func configuration() -> CellConfiguration {
        let memberCount = pick([3, 5, 7, 9])
        var members: Set<NodeID> = []
        while members.count < memberCount {
            members.insert(nodeID())
        }
        let startSlot = max(1, counter() >> 1)
        do {
            return try CellConfiguration(epoch: counter(), members: Array(members), startSlot: startSlot, limits: limits())
        } catch {
            preconditionFailure("the generator made an invalid configuration: \(error)")
        }
    }
}
