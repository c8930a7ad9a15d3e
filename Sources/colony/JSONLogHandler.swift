import ColonyCheck
import Foundation
import Logging

/// A swift-log handler that writes each record as one JSON object on one line, for log
/// collectors: `time` (RFC 3339, UTC, microseconds), `level`, `label`, `message`, then each
/// metadata entry as a field of its own (`request`, `trace_id`, `cell`, …). A metadata key
/// that would hide one of the four named fields is written as `metadata.KEY`.
///
/// Lines go to `sink` whole, so lines from many threads never interleave within a line.
struct JSONLogHandler: LogHandler {
    /// The fields every line opens with, in this order.
    static let fixedFields = ["time", "level", "label", "message"]

    /// The logger's label, written as `label`.
    let label: String
    /// Where each line goes, newline included.
    let sink: @Sendable (String) -> Void
    /// The least severe level written.
    var logLevel: Logger.Level = .info
    /// Metadata set on the logger, under the metadata of each call.
    var metadata: Logger.Metadata = [:]
    /// Metadata from the task's context (request and trace ids), between the logger's and the call's.
    var metadataProvider: Logger.MetadataProvider?

    /// A handler writing to `sink`.
    init(label: String, metadataProvider: Logger.MetadataProvider? = nil, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    /// A handler writing to standard error.
    static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// A handler writing to standard output.
    static func standardOutput(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label) { line in FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let given = event.metadata { merged.merge(given) { $1 } }
        sink(Self.line(time: Date(), level: event.level, label: label, message: "\(event.message)", metadata: merged))
    }

    /// One record as its line: the fixed fields, then the metadata sorted by key.
    static func line(time: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var fields = [
            "\"time\":" + JSONText.quoted(timestamp(time)), "\"level\":" + JSONText.quoted(level.rawValue), "\"label\":" + JSONText.quoted(label),
            "\"message\":" + JSONText.quoted(message),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = fixedFields.contains(key) ? "metadata." + key : key
            fields.append(JSONText.quoted(name) + ":" + encoded(value))
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// `2026-12-06T17:08:47.123456Z`: RFC 3339 in UTC, to the microsecond.
    static func timestamp(_ time: Date) -> String {
        let seconds = time.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = min(999_999, Int(((seconds - whole) * 1_000_000).rounded()))
        var parts = tm()
        var clock = time_t(whole)
        gmtime_r(&clock, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    private static func encoded(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return JSONText.quoted(text)
        case .stringConvertible(let convertible): return JSONText.quoted(convertible.description)
        case .array(let values): return "[" + values.map(encoded).joined(separator: ",") + "]"
        case .dictionary(let entries):
            let fields = entries.sorted { $0.key < $1.key }.map { JSONText.quoted($0.key) + ":" + encoded($0.value) }
            return "{" + fields.joined(separator: ",") + "}"
        }
    }
}
