import ColonyAuth
import ColonyClient
import Foundation

/// A value the directory stores as JSON under one key, with the check it must pass when read.
public protocol DirectoryValue: Codable, Sendable {
    /// What is wrong with the value, or nil; a value read with a problem is refused.
    var problem: String? { get }
}

extension NodeRecord: DirectoryValue {}
extension PlacedCell: DirectoryValue {}
extension ControlSettings: DirectoryValue {}
extension AuthPolicy: DirectoryValue {}
extension FormatRecord: DirectoryValue {}

extension ControlStatus: DirectoryValue {
    /// Nil: a status is shown as the loop wrote it, never refused.
    public var problem: String? { nil }
}

/// One record of the directory, as it is written: what it is, its key and its bytes.
public enum DirectoryRecord: Hashable, Sendable {
    /// A node's record.
    case node(NodeRecord)
    /// A cell's record.
    case cell(PlacedCell)
    /// The control settings.
    case settings(ControlSettings)
    /// The control loop's status.
    case status(ControlStatus)
    /// The authorization policy.
    case policy(AuthPolicy)
    /// The format level the colony's nodes write.
    case formats(FormatRecord)

    /// The key the record is stored under (see `ColonyDirectory`).
    public var key: String {
        switch self {
        case .node(let record): return ColonyDirectory.nodeKey(record.id)
        case .cell(let record): return ColonyDirectory.cellKey(record.cell.name)
        case .settings: return ColonyDirectory.settingsKey
        case .status: return ColonyDirectory.statusKey
        case .policy: return ColonyDirectory.policyKey
        case .formats: return ColonyDirectory.formatsKey
        }
    }

    /// The record `bytes` hold under `key`, checked as the directory's readers check it, and
    /// kept under its own key (a node's record under its id's key, a cell's under its name's):
    /// what every write to the directory must be, whoever sends it, so that no write leaves a
    /// record the control loop cannot read (one such record stops every pass).
    public init(key: String, bytes: [UInt8]) throws(DirectoryError) {
        if key.hasPrefix(ColonyDirectory.nodePrefix) {
            self = .node(try DirectoryCoding.decode(bytes, key: key, as: NodeRecord.self))
        } else if key.hasPrefix(ColonyDirectory.cellPrefix) {
            self = .cell(try DirectoryCoding.decode(bytes, key: key, as: PlacedCell.self))
        } else if key == ColonyDirectory.settingsKey {
            self = .settings(try DirectoryCoding.decode(bytes, key: key, as: ControlSettings.self))
        } else if key == ColonyDirectory.statusKey {
            self = .status(try DirectoryCoding.decode(bytes, key: key, as: ControlStatus.self))
        } else if key == ColonyDirectory.policyKey {
            self = .policy(try DirectoryCoding.decode(bytes, key: key, as: AuthPolicy.self))
        } else if key == ColonyDirectory.formatsKey {
            self = .formats(try DirectoryCoding.decode(bytes, key: key, as: FormatRecord.self))
        } else {
            throw .malformedRecord(key: key, reason: "the directory keeps no record under this key")
        }
        guard self.key == key else {
            throw .malformedRecord(key: key, reason: "the record belongs under \(self.key)")
        }
    }

    /// The bytes stored under `key` (see `DirectoryCoding.encode`).
    public func encoded() throws(DirectoryError) -> [UInt8] {
        switch self {
        case .node(let record): return try DirectoryCoding.encode(record, key: key)
        case .cell(let record): return try DirectoryCoding.encode(record, key: key)
        case .settings(let settings): return try DirectoryCoding.encode(settings, key: key)
        case .status(let status): return try DirectoryCoding.encode(status, key: key)
        case .policy(let policy): return try DirectoryCoding.encode(policy, key: key)
        case .formats(let formats): return try DirectoryCoding.encode(formats, key: key)
        }
    }
}

/// How the directory's values are stored: JSON with sorted keys, each checked when read.
/// Pure, so the control loop, the commands and the simulator write the same bytes for the
/// same record and refuse the same malformed ones.
public enum DirectoryCoding {
    /// The JSON of `value`, its keys sorted; refused when it cannot be encoded (a number
    /// JSON cannot hold).
    public static func encode<Value: DirectoryValue>(_ value: Value, key: String) throws(DirectoryError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .refused("cannot encode \(key): \(error)")
        }
    }

    /// The value stored under `key` as `bytes`, checked; `malformedRecord` says which field
    /// is missing or wrong, or which check failed.
    public static func decode<Value: DirectoryValue>(_ bytes: [UInt8], key: String, as type: Value.Type) throws(DirectoryError) -> Value {
        let value: Value
        do {
            value = try JSONDecoder().decode(type, from: Data(bytes))
        } catch let DecodingError.keyNotFound(field, _) {
            throw .malformedRecord(key: key, reason: "the field \"\(field.stringValue)\" is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context),
                let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .malformedRecord(key: key, reason: "\(field.isEmpty ? "the value" : "the field \"\(field)\""): \(context.debugDescription)")
        } catch {
            throw .malformedRecord(key: key, reason: "not valid JSON (\(error))")
        }
        if let problem = value.problem {
            throw .malformedRecord(key: key, reason: problem)
        }
        return value
    }
}
