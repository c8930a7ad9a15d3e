import ColonyClient
import Foundation

/// The directory of one colony, read and written through a client: node records, cell
/// records, control settings and the control loop's status, each a JSON value in the
/// reserved cell `_directory` (see `ColonyDirectory` for the keys).
///
/// Only the control plane and its commands use this. Every read is linearizable, so a
/// decision is made on what the directory holds now.
///
/// Scale: the directory is one cell, so it holds at most one cell's quota — 100,000 keys and
/// 8 MiB at the ceiling — and a listing comes back in one reply (gRPC's 4 MiB message by
/// default). At about 300 bytes a cell record, that is some 13,000 cells; a larger colony
/// needs a directory split over several cells, which Colony does not have yet.
public struct Directory: Sendable {
    /// The client the directory is read and written through.
    public let client: ColonyClient

    /// A directory reached through `client`.
    public init(client: ColonyClient) {
        self.client = client
    }

    /// The most records one listing returns.
    static let listLimit = 100_000

    /// Every node record, in id order.
    public func nodes() async throws(DirectoryError) -> [NodeRecord] {
        try await records(prefix: ColonyDirectory.nodePrefix, as: NodeRecord.self, problem: \.problem)
    }

    /// Every cell record, in name order.
    public func cells() async throws(DirectoryError) -> [PlacedCell] {
        try await records(prefix: ColonyDirectory.cellPrefix, as: PlacedCell.self, problem: \.problem)
    }

    /// The record of cell `name`, or nil when there is none.
    public func cell(_ name: String) async throws(DirectoryError) -> PlacedCell? {
        try await record(ColonyDirectory.cellKey(name), as: PlacedCell.self, problem: \.problem)
    }

    /// The control settings (the defaults when none were written).
    public func settings() async throws(DirectoryError) -> ControlSettings {
        try await writtenSettings() ?? ControlSettings()
    }

    /// The control settings, or nil when none were written.
    public func writtenSettings() async throws(DirectoryError) -> ControlSettings? {
        try await record(ColonyDirectory.settingsKey, as: ControlSettings.self, problem: \.problem)
    }

    /// The control loop's last status, if a loop ever ran.
    public func status() async throws(DirectoryError) -> ControlStatus? {
        try await record(ColonyDirectory.statusKey, as: ControlStatus.self) { _ in nil }
    }

    /// Writes node `record`.
    public func put(_ record: NodeRecord) async throws(DirectoryError) {
        try await write(record, at: ColonyDirectory.nodeKey(record.id))
    }

    /// Writes cell `record`.
    public func put(_ record: PlacedCell) async throws(DirectoryError) {
        try await write(record, at: ColonyDirectory.cellKey(record.cell.name))
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

    /// Writes the control settings.
    public func put(_ settings: ControlSettings) async throws(DirectoryError) {
        try await write(settings, at: ColonyDirectory.settingsKey)
    }

    /// Writes the control loop's status.
    public func put(_ status: ControlStatus) async throws(DirectoryError) {
        try await write(status, at: ColonyDirectory.statusKey)
    }

    /// Everything the control loop decides from, read now.
    public func snapshot() async throws(DirectoryError) -> DirectorySnapshot {
        DirectorySnapshot(nodes: try await nodes(), cells: try await cells(), settings: try await settings())
    }

    // MARK: - Coding

    private func records<Record: Decodable>(
        prefix: String, as type: Record.Type, problem: (Record) -> String?
    ) async throws(DirectoryError) -> [Record] {
        let items: [ColonyItem]
        do {
            let listed = try await client.list(ColonyDirectory.cell, prefix: prefix, limit: Self.listLimit)
            items = listed.items
        } catch {
            throw Self.translate(error)
        }
        var records: [Record] = []
        for item in items {
            records.append(try Self.decode(item.value, key: item.key, as: type, problem: problem))
        }
        return records
    }

    private func record<Record: Decodable>(
        _ key: String, as type: Record.Type, problem: (Record) -> String?
    ) async throws(DirectoryError) -> Record? {
        let item: ColonyItem?
        do {
            item = try await client.get(ColonyDirectory.cell, key)
        } catch {
            throw Self.translate(error)
        }
        guard let item else { return nil }
        return try Self.decode(item.value, key: key, as: type, problem: problem)
    }

    private func write<Record: Encodable>(_ record: Record, at key: String) async throws(DirectoryError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes: Data
        do {
            bytes = try encoder.encode(record)
        } catch {
            throw .refused("cannot encode \(key): \(error)")
        }
        do {
            try await client.put(ColonyDirectory.cell, key, Array(bytes))
        } catch {
            throw Self.translate(error)
        }
    }

    /// Decodes one record and checks it.
    static func decode<Record: Decodable>(
        _ bytes: [UInt8], key: String, as type: Record.Type, problem: (Record) -> String?
    ) throws(DirectoryError) -> Record {
        let record: Record
        do {
            record = try JSONDecoder().decode(type, from: Data(bytes))
        } catch let DecodingError.keyNotFound(field, _) {
            throw .malformedRecord(key: key, reason: "the field \"\(field.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .malformedRecord(key: key, reason: "\(field.isEmpty ? "the value" : "the field \"\(field)\""): \(context.debugDescription)")
        } catch {
            throw .malformedRecord(key: key, reason: "not valid JSON (\(error))")
        }
        if let problem = problem(record) {
            throw .malformedRecord(key: key, reason: problem)
        }
        return record
    }

    /// The directory error for a client error.
    static func translate(_ error: any Error) -> DirectoryError {
        switch error as? ColonyError {
        case .cellNotFound?, .cellDeleted?:
            return .missing
        case .quotaExceeded(let message)?, .valueTooLarge(let message)?, .invalidArgument(let message)?:
            return .refused(message)
        case let other?:
            return .unreachable("\(other)")
        case nil:
            return .unreachable("\(error)")
        }
    }
}

/// What the directory held at one moment.
public struct DirectorySnapshot: Hashable, Sendable {
    /// Every node record, in id order.
    public var nodes: [NodeRecord]
    /// Every cell record, in name order.
    public var cells: [PlacedCell]
    /// The control settings.
    public var settings: ControlSettings

    /// Makes a snapshot.
    public init(nodes: [NodeRecord], cells: [PlacedCell], settings: ControlSettings) {
        self.nodes = nodes
        self.cells = cells
        self.settings = settings
    }
}
