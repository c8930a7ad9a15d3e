import ArgumentParser

/// A length of time on the command line: a number with a unit (`500ms`, `30s`, `2m`, `1h`);
/// a bare number counts seconds.
struct Span: ExpressibleByArgument, Hashable, CustomStringConvertible {
    /// The length, in milliseconds.
    var milliseconds: Int64

    init(milliseconds: Int64) {
        self.milliseconds = milliseconds
    }

    init?(argument: String) {
        let units: [(suffix: String, milliseconds: Double)] = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)]
        let unit = units.first { argument.hasSuffix($0.suffix) && Double(argument.dropLast($0.suffix.count)) != nil }
        let number = Double(unit.map { String(argument.dropLast($0.suffix.count)) } ?? argument)
        guard let number, number.isFinite, number >= 0 else { return nil }
        let total = number * (unit?.milliseconds ?? 1_000)
        guard total <= Double(Int64.max / 2) else { return nil }
        milliseconds = Int64(total.rounded())
    }

    /// As a `Duration`.
    var duration: Duration { .milliseconds(milliseconds) }

    var description: String {
        milliseconds % 1_000 == 0 ? "\(milliseconds / 1_000)s" : "\(milliseconds)ms"
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
