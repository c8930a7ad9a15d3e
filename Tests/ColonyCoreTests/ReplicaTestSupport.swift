import ColonyCore
import ColonySim

/// Helpers that keep protocol scenarios short.
enum Scenario {
    static func nodes(_ count: Int) -> [NodeID] {
        (1...count).map { NodeID(UInt32($0)) }
    }

    static func cell(_ count: Int = 5, options: ReplicaOptions = ReplicaOptions(), seed: UInt64 = 1) throws -> InMemoryCell {
        try InMemoryCell(members: nodes(count), options: options, seed: seed)
    }

    static func put(_ key: String, _ value: String, client: UInt64 = 1, sequence: UInt64 = 1) -> ClientRequest {
        ClientRequest(
            id: RequestID(client: ClientID(client), sequence: sequence), cell: CellID("cell"),
            operation: .put(Key(key), Array(value.utf8)))
    }

    static func get(_ key: String, client: UInt64 = 99, sequence: UInt64, consistency: ReadConsistency = .linearizable) -> ClientRequest {
        ClientRequest(
            id: RequestID(client: ClientID(client), sequence: sequence), cell: CellID("cell"), operation: .get(Key(key)),
            consistency: consistency)
    }

    /// The value a reply read, or nil.
    static func readValue(_ reply: ClientReply?) -> String? {
        guard case .completed(.success(.value(let item))) = reply?.outcome, let item else { return nil }
        return String(decoding: item.value, as: UTF8.self)
    }
}

extension Scenario {
    struct NoLeader: Error {}

    /// Ticks until the cell has a leader reachable by the test, or throws.
    static func leader(_ cell: inout InMemoryCell) throws -> NodeID {
        guard let leader = cell.tickUntilLeader() else { throw NoLeader() }
        return leader
    }
}
