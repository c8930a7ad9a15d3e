import ArgumentParser
import ColonyClient
import Foundation

/// `colony list CELL [PREFIX]`.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the keys of a cell that start with a prefix, with the revision they were read at.")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "Only keys starting with this.") var prefix: String = ""
    @Option(help: "The most keys to list.") var limit: Int = 1_000
    @Flag(help: "Let any replica answer, possibly behind.") var stale = false
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let (items, truncated, revision) = try await options.withClient(cell: cell) {
            try await $0.list(cell, prefix: prefix, limit: limit, stale: stale)
        }
        var lines = items.map { "\($0.key) = \($0.text)  (version \($0.version))" }
        let count = items.count == 1 ? "1 key" : "\(items.count) keys"
        lines.append("(\(count) at revision \(revision)\(truncated ? "; more match, raise --limit" : ""))")
        options.show(
            lines.joined(separator: "\n"),
            json: [
                "items": items.map { ["key": $0.key, "value": $0.text, "version": $0.version] as [String: Any] },
                "truncated": truncated, "revision": revision,
            ])
    }
}

/// `colony watch CELL [--prefix P] [--after REV]`.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print a cell's changes, one line each, until interrupted.",
        discussion: """
            Each line is a revision and the keys it changed: `12  put k1 = v1` or `13  del k2`
            (a transaction's keys on one line). The watch survives nodes going away: it resumes
            at another member without missing or repeating a change. To follow from the current
            state, run `colony list CELL` and watch --after the revision it prints.
            """)
    @Argument(help: "The cell.") var cell: String
    @Option(help: "Only keys starting with this.") var prefix: String = ""
    @Option(help: "Print changes after this revision (0: from the cell's first change).") var after: UInt64 = 0
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.withClient(cell: cell) { client in
            for try await change in client.watch(cell, prefix: prefix, after: after) {
                printNow(options.json ? Self.json(change) : Self.line(change))
            }
        }
    }

    static func line(_ change: ColonyChange) -> String {
        let keys = change.keys.map { key in key.text.map { "put \(key.key) = \($0)" } ?? "del \(key.key)" }
        return "\(change.revision)  " + keys.joined(separator: ", ")
    }

    static func json(_ change: ColonyChange) -> String {
        let keys: [[String: Any]] = change.keys.map { key in
            key.text.map { ["key": key.key, "value": $0] } ?? ["key": key.key, "deleted": true]
        }
        let object: [String: Any] = ["revision": change.revision, "changes": keys]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
