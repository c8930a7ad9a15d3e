import Foundation

/// Number formats shared by the commands' output.
enum Format {
    static func seconds(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f s", value) : String(format: "%.2f s", value)
    }

    /// `1 replica`, `3 replicas`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// A duration as `Format.seconds` writes it ("4.18 s"), or in milliseconds under a second ("350 ms").
    static func rounded(_ duration: Duration) -> String {
        duration.seconds < 1 ? String(format: "%.0f ms", duration.seconds * 1_000) : seconds(duration.seconds)
    }

    static func ratio(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f×", value) : String(format: "%.1f×", value)
    }

    /// Nanoseconds as milliseconds with enough digits to compare.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        String(format: "%.2f ms", Double(nanoseconds) / 1e6)
    }

    /// `text` padded with spaces to `width` characters, on the left when `right` is set.
    static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let padding = String(repeating: " ", count: max(0, width - text.count))
        return right ? padding + text : text + padding
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes a line to standard output at once, unbuffered: a reader of the pipe sees it even
/// if the process is killed the next moment.
func printNow(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
