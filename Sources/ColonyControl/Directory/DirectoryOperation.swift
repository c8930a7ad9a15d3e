import ColonyClient
import ColonyCore

/// One read or write of the directory that a step of the control plane makes, apart from
/// any IO. The control loop's core and the operator's commands ask for these; each shell
/// carries them out its own way — `Directory.perform` through a client, the simulator through
/// the directory cell's log — and hands back the same `DirectoryReadout`, so what an answer
/// means is decided here once.
public enum DirectoryOperation: Hashable, Sendable {
    /// Read the whole directory in one listing (`DirectoryReader`); answered `.snapshot`.
    case snapshot
    /// Read the control settings, the defaults when none are written; answered `.settings`.
    case settings
    /// Write the records (one or more) all at once: one record is a put, several one
    /// transaction; answered `.written`.
    case write([DirectoryRecord])

    /// The most records one listing returns: a cell's most keys, so a listing is whole.
    static let listLimit = CellLimits.ceiling.keysMax

    /// The most records one write holds, well within a transaction's steps.
    public static let recordsPerWriteMax = 32

    /// The writes of `records`, in order, at most `recordsPerWriteMax` records each: many
    /// records are written in a few transactions, not one round trip each.
    public static func writes(of records: [DirectoryRecord]) -> [DirectoryOperation] {
        stride(from: 0, to: records.count, by: recordsPerWriteMax).map { start in
            .write(Array(records[start..<min(records.count, start + recordsPerWriteMax)]))
        }
    }

    /// The operation on the directory cell, in the cell's own terms.
    public func cellOperation() throws(DirectoryError) -> CellOperation {
        switch self {
        case .snapshot:
            return .list(prefix: Key(""), limit: Self.listLimit)
        case .settings:
            return .get(Key(ColonyDirectory.settingsKey))
        case .write(let records):
            if records.count == 1 { return .put(Key(records[0].key), try records[0].encoded()) }
            var steps: [TransactionStep] = []
            for record in records {
                steps.append(.put(Key(record.key), try record.encoded()))
            }
            return .transaction(Transaction(success: steps))
        }
    }

    /// What the directory cell's `result` of `cellOperation()` comes to; a listing is
    /// decoded through `reader`, which decodes only the records written since it last read.
    public func readout(of result: OperationResult, reader: inout DirectoryReader) -> Result<DirectoryReadout, DirectoryError> {
        do throws(DirectoryError) {
            switch (self, result) {
            case (.snapshot, .list(let items, _, _)):
                return .success(.snapshot(try reader.snapshot(items.map { ($0.key.string, $0.value, $0.version) })))
            case (.settings, .value(nil)):
                return .success(.settings(ControlSettings()))
            case (.settings, .value(let item?)):
                return .success(.settings(try DirectoryCoding.decode(item.value, key: ColonyDirectory.settingsKey, as: ControlSettings.self)))
            case (.write, .written), (.write, .transaction(succeeded: true, _)):
                return .success(.written)
            case (.snapshot, _), (.settings, _), (.write, _):
                return .failure(.unreachable("the directory answered \(self) with \(result)"))
            }
        } catch {
            return .failure(error)
        }
    }
}

/// What a directory operation read, or that it wrote.
public enum DirectoryReadout: Hashable, Sendable {
    /// The directory, as a `.snapshot` read it.
    case snapshot(DirectorySnapshot)
    /// The control settings, as a `.settings` read them.
    case settings(ControlSettings)
    /// A `.write`'s records are written.
    case written
}
