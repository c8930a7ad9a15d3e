import ArgumentParser
import ColonyAPI
import ColonyClient
import Foundation

/// `colony cell create|list|info|delete`.
struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell", abstract: "Create, look at and delete cells.",
        subcommands: [CellCreateCommand.self, CellListCommand.self, CellInfoCommand.self, CellDeleteCommand.self])
}

/// `colony cell create NAME [--max-keys N --max-bytes N --max-value-bytes N]`.
struct CellCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a cell on chosen nodes (default: replicas spread by the cell's name over the dev colony).",
        discussion: "Quotas left out take the colony's defaults (1000 keys, 1 MiB, 16 KiB per value); none may exceed the colony's maxima. The name of a deleted cell is refused.")
    @Argument(help: "The cell's name.") var name: String
    @Option(help: "Member node ids, comma-separated (an odd number, 3 to 9).") var members: String?
    @Option(help: "Replicas when members are not given.") var replicas: Int = 7
    @Option(help: "The most keys the cell may hold.") var maxKeys: UInt64?
    @Option(help: "The most bytes of keys and values the cell may hold.") var maxBytes: UInt64?
    @Option(help: "The largest value, in bytes.") var maxValueBytes: UInt64?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        for (flag, value) in [("--max-keys", maxKeys), ("--max-bytes", maxBytes), ("--max-value-bytes", maxValueBytes)] where value == 0 {
            throw ValidationError("\(flag) must be at least 1 (leave it out for the colony's default)")
        }
    }

    func run() async throws {
        let chosen: [UInt32]
        if let members {
            let parsed = members.split(separator: ",").map { UInt32($0) }
            guard parsed.allSatisfy({ $0 != nil }) else { throw ValidationError("--members takes node ids like 1,4,7") }
            chosen = parsed.compactMap { $0 }
        } else {
            guard let dev = DevColony.load(from: DevColony.defaultDirectory) else {
                throw ValidationError("name the members with --members 1,2,3 (no dev colony to choose from)")
            }
            chosen = RendezvousPlacement.members(for: name, among: dev.processes.map(\.node), count: replicas)
        }
        let quota = ColonyClient.Quota(keysMax: maxKeys, bytesMax: maxBytes, valueBytesMax: maxValueBytes)
        let configuration = try await options.withClient { try await $0.createCell(name, nodes: chosen, quota: quota) }
        options.show(
            "created \(name): epoch \(configuration.epoch), members \(configuration.members.map { "n\($0.node)" }.joined(separator: ","))",
            json: ["cell": name, "epoch": configuration.epoch, "members": configuration.members.map(\.node)])
    }
}

/// `colony cell list`.
struct CellListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cells one node hosts.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let cells = try await options.withClient { try await $0.listCells() }
        let lines = cells.map { cell in
            "\(cell.cell)  leader n\(cell.leader)  revision \(cell.revision)  \(cell.keyCount) keys  \(cell.byteCount) bytes\(cell.damaged ? "  DAMAGED" : "")"
        }
        options.show(
            cells.isEmpty ? "(no cells)" : lines.joined(separator: "\n"),
            json: ["cells": cells.map(Self.object)])
    }

    static func object(_ cell: Colony_V1_CellSummary) -> [String: Any] {
        [
            "cell": cell.cell, "epoch": cell.configuration.epoch, "leader": cell.leader,
            "members": cell.configuration.members.map(\.node), "appliedThrough": cell.appliedThrough, "damaged": cell.damaged,
            "revision": cell.revision, "keys": cell.keyCount, "bytes": cell.byteCount,
            "limits": ["keysMax": cell.limits.keysMax, "bytesMax": cell.limits.bytesMax, "valueBytesMax": cell.limits.valueBytesMax],
        ]
    }
}

/// `colony cell info NAME`.
struct CellInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a cell: members, leader, usage and quotas.")
    @Argument(help: "The cell's name.") var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let cell = try await options.withClient { try await $0.cellInfo(name) }
        let members = cell.configuration.members.map { "n\($0.node) \($0.address)" }
        let limits = cell.limits
        let text = """
            \(cell.cell): epoch \(cell.configuration.epoch), leader n\(cell.leader), revision \(cell.revision), applied through slot \(cell.appliedThrough)\(cell.damaged ? ", DAMAGED" : "")
              keys:  \(cell.keyCount) of \(limits.keysMax)
              bytes: \(cell.byteCount) of \(limits.bytesMax) (values up to \(limits.valueBytesMax) bytes each)
              members:
                \(members.joined(separator: "\n    "))
            """
        options.show(text, json: CellListCommand.object(cell))
    }
}

/// `colony cell delete NAME`.
struct CellDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a cell and all its keys.",
        discussion: "Every replica drops the cell's keys at the same log slot and keeps a small tombstone; every later request gets 'cell deleted', and the name cannot be used for a new cell.")
    @Argument(help: "The cell's name.") var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let alreadyDeleted = try await options.withClient { try await $0.deleteCell(name) }
        options.show(alreadyDeleted ? "\(name) was already deleted" : "deleted \(name)", json: ["cell": name, "alreadyDeleted": alreadyDeleted])
    }
}
