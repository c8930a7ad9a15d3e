import ColonyAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// The operations on one cell's keys, each run through the cell's leader with retries.
extension ColonyClient {
    /// The item under `key`, or nil if absent. `stale` reads may come from any replica.
    public func get(_ cell: String, _ key: String, stale: Bool = false) async throws -> ColonyItem? {
        let reply = try await run(cell, isWrite: false) { header in
            var request = Colony_V1_GetRequest()
            request.header = header
            request.key = key
            request.consistency = stale ? .stale : .linearizable
            return .get(request)
        } reply: {
            if case .get(let reply) = $0 { reply } else { nil }
        }
        return reply.found ? ColonyItem(reply.item) : nil
    }

    /// Writes `value` under `key`; returns the key's new version.
    @discardableResult
    public func put(_ cell: String, _ key: String, _ value: [UInt8]) async throws -> UInt64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_PutRequest()
            request.header = header
            request.key = key
            request.value = Data(value)
            return .put(request)
        } reply: {
            if case .put(let reply) = $0 { reply } else { nil }
        }.version
    }

    /// Writes the UTF-8 bytes of `value` under `key`; returns the key's new version.
    @discardableResult
    public func put(_ cell: String, _ key: String, _ value: String) async throws -> UInt64 {
        try await put(cell, key, Array(value.utf8))
    }

    /// Removes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ cell: String, _ key: String) async throws -> Bool {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_DeleteRequest()
            request.header = header
            request.key = key
            return .delete(request)
        } reply: {
            if case .delete(let reply) = $0 { reply } else { nil }
        }.existed
    }

    /// What a compare-and-set expects under its key.
    public enum Expected: Hashable, Sendable {
        /// The key must be absent.
        case absent
        /// The key must hold these bytes.
        case value([UInt8])
        /// The key must be at this version.
        case version(UInt64)
    }

    /// Writes `value` under `key` if the key matches `expected`; returns the new version, or
    /// throws `conditionFailed` with what the key holds.
    @discardableResult
    public func compareAndSet(_ cell: String, _ key: String, expected: Expected, value: [UInt8]) async throws -> UInt64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_CompareAndSetRequest()
            request.header = header
            request.key = key
            switch expected {
            case .absent: request.absent = true
            case .value(let bytes): request.value = Data(bytes)
            case .version(let version): request.version = version
            }
            request.newValue = Data(value)
            return .compareAndSet(request)
        } reply: {
            if case .compareAndSet(let reply) = $0 { reply } else { nil }
        }.version
    }

    /// Adds `delta` to the integer under `key`; returns the new integer.
    @discardableResult
    public func increment(_ cell: String, _ key: String, by delta: Int64) async throws -> Int64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_IncrementRequest()
            request.header = header
            request.key = key
            request.delta = delta
            return .increment(request)
        } reply: {
            if case .increment(let reply) = $0 { reply } else { nil }
        }.value
    }

    /// Up to `limit` items whose keys start with `prefix`, whether more matched, and the
    /// cell's revision they were read at: `watch(cell, after: revision)` then misses nothing.
    public func list(
        _ cell: String, prefix: String = "", limit: Int = 1_000, stale: Bool = false
    ) async throws -> (items: [ColonyItem], truncated: Bool, revision: UInt64) {
        let reply = try await run(cell, isWrite: false) { header in
            var request = Colony_V1_ListRequest()
            request.header = header
            request.prefix = prefix
            request.limit = UInt32(clamping: limit)
            request.consistency = stale ? .stale : .linearizable
            return .list(request)
        } reply: {
            if case .list(let reply) = $0 { reply } else { nil }
        }
        return (reply.items.map(ColonyItem.init), reply.truncated, reply.revision)
    }

    /// Every key of `cell` and the revision they were read at: one linearizable read of the
    /// whole cell through its leader (a list with no prefix and a limit above any cell's key
    /// quota, which the cell lowers to its own). `colony backup` reads each cell this way.
    public func readWholeCell(_ cell: String) async throws -> (items: [ColonyItem], revision: UInt64) {
        let listing = try await list(cell, limit: Int(UInt32.max))
        guard !listing.truncated else {
            throw ColonyError.unavailable("cell \(cell) answered a listing of all its keys with only part of them; try again")
        }
        return (listing.items, listing.revision)
    }

    /// Runs a transaction; see `Colony_V1_TransactionRequest` for its parts.
    public func transaction(_ cell: String, _ transaction: Colony_V1_TransactionRequest) async throws -> Colony_V1_TransactionReply {
        try await run(cell, isWrite: true) { header in
            var request = transaction
            request.header = header
            return .transaction(request)
        } reply: {
            if case .transaction(let reply) = $0 { reply } else { nil }
        }
    }
}
