import Foundation

/// Number formats shared by the commands' output.
enum Format {
    static func seconds(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f s", value) : String(format: "%.2f s", value)
    }

    static func ratio(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f×", value) : String(format: "%.1f×", value)
    }

    /// Nanoseconds as milliseconds with enough digits to compare.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        String(format: "%.2f ms", Double(nanoseconds) / 1e6)
    }

    static func count(_ value: Double) -> String {
        if value >= 1e6 { return String(format: "%.2fM", value / 1e6) }
        if value >= 1e4 { return String(format: "%.1fk", value / 1e3) }
        return String(format: "%.0f", value)
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
