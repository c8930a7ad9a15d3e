import ColonyCore

/// Reads and writes histories in the JSON Lines format of HISTORY.md.
///
/// A history comes from outside the checker and is never trusted: `parse` checks every line
/// and every rule that spans lines, and throws a `HistoryError` naming the first bad line.
public enum HistoryCoding {
    /// Parses JSON Lines text into events, checking that it is a well-formed history.
    public static func parse(_ text: String) throws(HistoryError) -> [HistoryEvent] {
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lastFilledLine = lines.lastIndex(where: { !isBlank($0) }) ?? -1
        var events: [HistoryEvent] = []
        var validator = HistoryValidator()
        for (position, bytes) in lines.enumerated() where position <= lastFilledLine {
            let line = position + 1
            guard !isBlank(bytes) else { throw .blankLine(line: line) }
            let json: JSONValue
            do {
                json = try JSONReader.read(Array(bytes))
            } catch {
                throw .notJSON(line: line, column: error.column, reason: error.reason)
            }
            let event = try HistoryEventDecoder.decode(json, line: line)
            try validator.accept(event)
            events.append(event)
        }
        return events
    }

    /// Checks that events built in memory form a well-formed history, as `parse` would;
    /// the line of an error is the event's position plus one.
    public static func validate(_ events: [HistoryEvent]) throws(HistoryError) {
        try HistoryValidator.validate(events)
    }

    private static func isBlank(_ bytes: Substring.UTF8View.SubSequence) -> Bool {
        bytes.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }
}
