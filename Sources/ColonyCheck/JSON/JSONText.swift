/// Text written as JSON by hand, where an encoder would cost more than the line it writes:
/// history lines (`HistoryCoding`) and the CLI's JSON log lines.
public enum JSONText {
    /// The text as a JSON string literal: quotes and backslashes escaped, control characters
    /// (with DEL, and the line and paragraph separators JavaScript takes for line ends)
    /// escaped, everything else written as itself in UTF-8.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
