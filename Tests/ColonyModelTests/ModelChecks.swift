import Foundation
import Testing

/// One line of `Model/checks.txt`: a bounded configuration of the cell's model that must hold,
/// or a mutant of one that spin must refute on a named property.
struct ModelCheck: Sendable, CustomTestStringConvertible {
    /// What spin must find.
    enum Expectation: Sendable, Equatable {
        /// No assertion violated in the whole (bounded) state space.
        case holds
        /// The assertion of `property` violated, with a trail written.
        case refuted(property: String)
    }

    /// The configuration's name, or the mutant's macro.
    var name: String
    /// The macros that choose the scenario and its bounds (a mutant's own macro last).
    var defines: [String]
    var expectation: Expectation

    var testDescription: String {
        switch expectation {
        case .holds: return "model \(name)"
        case .refuted(let property): return "mutant \(name) (\(property))"
        }
    }

    /// The repository's `Model/` folder.
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Model")

    /// The bounded configurations and the mutants listed in `Model/checks.txt` (its `long`
    /// lines are for `Scripts/check-model.sh --long` only). An unreadable or malformed file
    /// gives no checks, and `listIsWhole` fails.
    static let all: [ModelCheck] = (try? parse(String(contentsOf: folder.appendingPathComponent("checks.txt"), encoding: .utf8))) ?? []

    /// Reads the lines of `text`; throws on a line it does not understand.
    static func parse(_ text: String) throws -> [ModelCheck] {
        var models: [String: [String]] = [:]
        var checks: [ModelCheck] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ").map(String.init)
            guard let kind = words.first else { continue }
            switch kind {
            case "model" where words.count >= 2:
                models[words[1]] = Array(words.dropFirst(2))
                checks.append(ModelCheck(name: words[1], defines: Array(words.dropFirst(2)), expectation: .holds))
            case "mutant" where words.count == 4:
                guard let base = models[words[2]] else { throw Malformed(line: String(line)) }
                checks.append(ModelCheck(name: words[1], defines: base + ["-D\(words[1])"], expectation: .refuted(property: words[3])))
            case "long":
                continue
            default:
                throw Malformed(line: String(line))
            }
        }
        return checks
    }

    /// A line of `Model/checks.txt` that is neither a model, a long run nor a mutant.
    struct Malformed: Error, CustomStringConvertible {
        var line: String
        var description: String { "Model/checks.txt: cannot read the line \"\(line)\"" }
    }
}
