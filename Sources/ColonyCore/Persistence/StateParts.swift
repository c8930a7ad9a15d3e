/// The pieces a codec needs to take the cell's state apart and put it back together. They
/// are `package`-wide: only Colony's own encoders use them, and every way back in checks
/// what it is given, because what it is given comes from a disk or a network.

/// One client session as it is stored.
public struct ClientSessionRecord: Hashable, Sendable {
    /// The client.
    public var client: ClientID
    /// Its latest applied request number.
    public var lastSequence: UInt64
    /// That request's result.
    public var lastResult: Result<OperationResult, OperationError>
    /// The slot that applied it.
    public var lastSlot: Slot

    /// Makes a session record.
    public init(client: ClientID, lastSequence: UInt64, lastResult: Result<OperationResult, OperationError>, lastSlot: Slot) {
        self.client = client
        self.lastSequence = lastSequence
        self.lastResult = lastResult
        self.lastSlot = lastSlot
    }
}

/// Why stored or received state could not be rebuilt.
public enum StateDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The pieces do not fit together; the text says how.
    case inconsistent(String)

    public var description: String {
        switch self {
        case .inconsistent(let text): return "inconsistent cell state: \(text)"
        }
    }
}

extension ClientSessions {
    /// Every session, in client order.
    package var records: [ClientSessionRecord] {
        sessions.keys.sorted().compactMap { client in
            sessions[client].map {
                ClientSessionRecord(client: client, lastSequence: $0.lastSequence, lastResult: $0.lastResult, lastSlot: $0.lastSlot)
            }
        }
    }

    /// Rebuilds a table from its records; a client named twice is refused.
    package init(records: [ClientSessionRecord]) throws(StateDecodingError) {
        self.init()
        for record in records {
            guard sessions[record.client] == nil else { throw .inconsistent("client \(record.client) has two sessions") }
            sessions[record.client] = Session(lastSequence: record.lastSequence, lastResult: record.lastResult, lastSlot: record.lastSlot)
        }
    }
}

extension CellStore {
    /// Rebuilds a store from its keys, which must be in strictly ascending order with
    /// versions no newer than `revision`.
    package init(revision: Revision, items: [KeyValue]) throws(StateDecodingError) {
        self.init()
        for (index, item) in items.enumerated() {
            if index > 0, !(items[index - 1].key < item.key) {
                throw .inconsistent("keys out of order at \"\(item.key)\"")
            }
            guard item.version >= 1, item.version <= revision else {
                throw .inconsistent("key \"\(item.key)\" has version \(item.version) beyond revision \(revision)")
            }
            entries.append(Entry(key: item.key, value: item.value, version: item.version))
            byteCount += item.key.byteCount + item.value.count
        }
        self.revision = revision
    }
}

extension CellState {
    /// Rebuilds a cell's state from its parts.
    package init(
        configuration: CellConfiguration, store: CellStore, sessions: ClientSessions, appliedThrough: Slot
    ) throws(StateDecodingError) {
        guard appliedThrough < Slot.max, appliedThrough + 1 >= configuration.startSlot else {
            throw .inconsistent("applied through slot \(appliedThrough), before its configuration starts at \(configuration.startSlot)")
        }
        let limits = configuration.limits
        guard store.count <= limits.keysMax, store.byteCount <= limits.cellBytesMax, sessions.count <= limits.sessionsMax else {
            throw .inconsistent("\(store.count) keys, \(store.byteCount) bytes and \(sessions.count) sessions exceed the cell's limits")
        }
        self.init(configuration: configuration)
        self.store = store
        self.sessions = sessions
        self.appliedThrough = appliedThrough
    }
}
