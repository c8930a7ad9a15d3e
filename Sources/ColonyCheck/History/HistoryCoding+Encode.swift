import ColonyCore

extension HistoryCoding {
    /// One history line for the event, without a newline, fields in HISTORY.md's order.
    public static func encode(_ event: HistoryEvent) -> String {
        var line = "{\"index\":\(event.index),\"time\":\(event.time),\"process\":\(event.process)"
        line += ",\"type\":\(quoted(event.type.rawValue)),\"f\":\(quoted(event.function.rawValue))"
        line += ",\"cell\":\(quoted(event.cell)),\"key\":\(quoted(event.key))"
        line += ",\"value\":\(encode(event.value))}"
        return line
    }

    /// The events as JSON Lines: one line per event, each ending in a newline.
    public static func encode(_ events: [HistoryEvent]) -> String {
        var text = ""
        for event in events {
            text += encode(event)
            text += "\n"
        }
        return text
    }

    private static func encode(_ value: HistoryValue) -> String {
        switch value {
        case .null:
            return "null"
        case .string(let text):
            return quoted(text)
        case .pair(let expected, let new):
            return "[\(quoted(expected)),\(quoted(new))]"
        case .transaction(let steps):
            let encodedSteps = steps.map { "[\(quoted($0.kind.rawValue)),\(quoted($0.key)),\(quoted($0.value))]" }
            return "[" + encodedSteps.joined(separator: ",") + "]"
        }
    }

    private static func quoted(_ text: String?) -> String {
        guard let text else { return "null" }
        return JSONText.quoted(text)
    }
}
