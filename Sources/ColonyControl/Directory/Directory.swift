import ColonyAPI
import ColonyClient
import Foundation

/// The directory of one colony, read and written through a client: node records, cell
/// records, control settings and the control loop's status, each a JSON value in the
/// reserved cell `_directory` (see `ColonyDirectory` for the keys, `DirectoryCoding` for the
/// values).
///
/// Only the control plane and its commands use this. Every read is linearizable, so a
/// decision is made on what the directory holds now. What the bytes mean is decided apart
/// from any IO (`DirectorySnapshot(listing:)`, `DirectoryRecord`), so the simulator reads and
/// writes a directory it holds in a simulated cell the same way.
///
/// Scale: the directory is one cell, so it holds at most one cell's quota — 100,000 keys and
/// 8 MiB at the ceiling — and a listing comes back in one reply (at most
/// `ColonyClient.replyBytesMax`, above that). At about 300 bytes a cell record, that is some
/// 27,000 cells; a larger colony
/// needs a directory split over several cells, which Colony does not have yet.
public struct Directory: Sendable {
    /// The client the directory is read and written through.
    public let client: ColonyClient

    /// A directory reached through `client`.
    public init(client: ColonyClient) {
        self.client = client
    }

    /// Everything the control loop decides from, read now in one listing.
    public func snapshot() async throws(DirectoryError) -> DirectorySnapshot {
        try await listing(prefix: "")
    }

    /// Everything the control loop decides from, read now through `reader`, which decodes
    /// only the records written since it last read.
    public func snapshot(reading reader: inout DirectoryReader) async throws(DirectoryError) -> DirectorySnapshot {
        try reader.snapshot(try await items(prefix: "").map { ($0.key, $0.value, $0.version) })
    }

    /// Carries out `operation` (see `DirectoryOperation`); a listing is decoded through
    /// `reader`, which decodes only the records written since it last read.
    public func perform(_ operation: DirectoryOperation, reader: inout DirectoryReader) async -> Result<DirectoryReadout, DirectoryError> {
        do throws(DirectoryError) {
            switch operation {
            case .snapshot:
                return .success(.snapshot(try await snapshot(reading: &reader)))
            case .settings:
                return .success(.settings(try await settings()))
            case .write(let records) where records.count == 1:
                try await put(records[0])
            case .write(let records):
                try await write(records)
            }
            return .success(.written)
        } catch {
            return .failure(error)
        }
    }

    /// Every node record, in id order.
    public func nodes() async throws(DirectoryError) -> [NodeRecord] {
        try await listing(prefix: ColonyDirectory.nodePrefix).nodes
    }

    /// Every cell record, in name order.
    public func cells() async throws(DirectoryError) -> [PlacedCell] {
        try await listing(prefix: ColonyDirectory.cellPrefix).cells
    }

    /// The record of cell `name`, or nil when there is none.
    public func cell(_ name: String) async throws(DirectoryError) -> PlacedCell? {
        try await value(ColonyDirectory.cellKey(name), as: PlacedCell.self)
    }

    /// The control settings (the defaults when none were written).
    public func settings() async throws(DirectoryError) -> ControlSettings {
        try await writtenSettings() ?? ControlSettings()
    }

    /// The control settings, or nil when none were written.
    public func writtenSettings() async throws(DirectoryError) -> ControlSettings? {
        try await value(ColonyDirectory.settingsKey, as: ControlSettings.self)
    }

    /// The control loop's last status, if a loop ever ran.
    public func status() async throws(DirectoryError) -> ControlStatus? {
        try await value(ColonyDirectory.statusKey, as: ControlStatus.self)
    }

    /// Writes `record` under its key.
    public func put(_ record: DirectoryRecord) async throws(DirectoryError) {
        let bytes = try record.encoded()
        do {
            try await client.put(ColonyDirectory.cell, record.key, bytes)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Writes node `record`.
    public func put(_ record: NodeRecord) async throws(DirectoryError) {
        try await put(.node(record))
    }

    /// Writes cell `record`.
    public func put(_ record: PlacedCell) async throws(DirectoryError) {
        try await put(.cell(record))
    }

    /// Writes the control settings.
    public func put(_ settings: ControlSettings) async throws(DirectoryError) {
        try await put(.settings(settings))
    }

    /// Writes `records` in one transaction: all of them, or none.
    public func write(_ records: [DirectoryRecord]) async throws(DirectoryError) {
        var transaction = Colony_V1_TransactionRequest()
        for record in records {
            var put = Colony_V1_KeyValuePut()
            put.key = record.key
            put.value = Data(try record.encoded())
            var step = Colony_V1_Step()
            step.put = put
            transaction.success.append(step)
        }
        do {
            _ = try await client.transaction(ColonyDirectory.cell, transaction)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Deletes the record of cell `name` (the cell itself was deleted); false when there was none.
    @discardableResult
    public func removeCell(_ name: String) async throws(DirectoryError) -> Bool {
        do {
            return try await client.delete(ColonyDirectory.cell, ColonyDirectory.cellKey(name))
        } catch {
            throw Self.translate(error)
        }
    }

    /// The records under `prefix`, read in one listing.
    private func listing(prefix: String) async throws(DirectoryError) -> DirectorySnapshot {
        try DirectorySnapshot(listing: try await items(prefix: prefix).map { ($0.key, $0.value) })
    }

    /// Every item of the directory whose key starts with `prefix`, in one listing.
    private func items(prefix: String) async throws(DirectoryError) -> [ColonyItem] {
        do {
            return try await client.list(ColonyDirectory.cell, prefix: prefix, limit: DirectoryOperation.listLimit).items
        } catch {
            throw Self.translate(error)
        }
    }

    /// The value under `key`, checked, or nil when there is none.
    private func value<Value: DirectoryValue>(_ key: String, as type: Value.Type) async throws(DirectoryError) -> Value? {
        try await versionedValue(key, as: type)?.value
    }

    /// The value under `key`, checked, with the version of its record (for a compare-and-set
    /// on it), or nil when there is none.
    func versionedValue<Value: DirectoryValue>(_ key: String, as type: Value.Type) async throws(DirectoryError) -> (value: Value, version: UInt64)? {
        let item: ColonyItem?
        do {
            item = try await client.get(ColonyDirectory.cell, key)
        } catch {
            throw Self.translate(error)
        }
        guard let item else { return nil }
        return (try DirectoryCoding.decode(item.value, key: key, as: type), item.version)
    }

    /// The directory error for a client error.
    static func translate(_ error: any Error) -> DirectoryError {
        switch error as? ColonyError {
        case .cellNotFound?, .cellDeleted?:
            return .missing
        case .quotaExceeded(let message)?, .valueTooLarge(let message)?, .invalidArgument(let message)?:
            return .refused(message)
        case .unauthorized(let message)?:
            return .unauthorized(message)
        case let other?:
            return .unreachable("\(other)")
        case nil:
            return .unreachable("\(error)")
        }
    }
}
