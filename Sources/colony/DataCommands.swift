import ArgumentParser
import ColonyAPI
import ColonyClient
import Foundation

/// `colony put CELL KEY VALUE`.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: "Write a key in a cell.")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value (text).") var value: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let version = try await options.withClient(cell: cell) { try await $0.put(cell, key, value) }
        options.show("OK (version \(version))", json: ["version": version])
    }
}

/// `colony get CELL KEY`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Read a key of a cell (linearizable unless --stale).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Flag(help: "Let any replica answer, possibly behind.") var stale = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let item = try await options.withClient(cell: cell) { try await $0.get(cell, key, stale: stale) }
        guard let item else {
            options.show("(absent)", json: ["found": false])
            throw ExitCode(ExitStatus.notFound)
        }
        options.show(item.text, json: ["found": true, "value": item.text, "version": item.version])
    }
}

/// `colony del CELL KEY`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove a key from a cell.")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let existed = try await options.withClient(cell: cell) { try await $0.delete(cell, key) }
        options.show(existed ? "deleted" : "(was absent)", json: ["existed": existed])
    }
}

/// `colony incr CELL KEY [DELTA]`.
struct IncrementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incr", abstract: "Add to the decimal integer under a key (an absent key counts as 0).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "How much to add (negative to subtract).") var delta: Int64 = 1
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let value = try await options.withClient(cell: cell) { try await $0.increment(cell, key, by: delta) }
        options.show("\(value)", json: ["value": value])
    }
}

/// `colony cas CELL KEY --expect OLD NEW`.
struct CompareAndSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cas", abstract: "Write a key only if it holds what you expect (or is absent, with --absent).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "The new value.") var value: String
    @Option(help: "The value the key must hold now.") var expect: String?
    @Flag(help: "The key must be absent now.") var absent = false
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (expect != nil) != absent else { throw ValidationError("give exactly one of --expect VALUE or --absent") }
    }

    func run() async throws {
        let expected: ColonyClient.Expected = expect.map { .value(Array($0.utf8)) } ?? .absent
        let version = try await options.withClient(cell: cell) { try await $0.compareAndSet(cell, key, expected: expected, value: Array(value.utf8)) }
        options.show("OK (version \(version))", json: ["version": version])
    }
}
