import ArgumentParser
import ColonyAPI
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import Foundation

/// `colony cell create|list|info|delete|move|force-recover`.
struct CellCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cell", abstract: "Create, look at, move and delete cells.",
        subcommands: [
            CellCreateCommand.self, CellListCommand.self, CellInfoCommand.self, CellDeleteCommand.self, CellMoveCommand.self,
            CellForceRecoverCommand.self,
        ])
}

/// `colony cell create NAME [--near ZONE] [--replicas N] [--color C] [quotas]`, or
/// `colony cell create --count N --prefix P [...]` for many cells at once.
struct CellCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a cell on nodes the placer chooses, and record it in the directory.",
        discussion: """
            The placer spreads the replicas over zones and racks and bounds the cell's overlap with every cell \
            the directory records; --near puts the preferred leader and a majority in the clients' zone. \
            Quotas left out take the colony's defaults (1000 keys, 1 MiB, 16 KiB per value); none may exceed the \
            colony's maxima. The name of a deleted cell is refused, and names starting with "_" are the colony's. \
            With --count N and --prefix P instead of a name, creates cells P-000001 through P-N in bulk: every \
            placement chosen at once, the records written in batches, the members asked in batches of up to \
            \(ColonyClient.createCellsMax) cells per call; a bulk creation stopped half-way is finished by running \
            it again.
            """)
    /// The most cells one bulk creation makes.
    static let countMax = 1_000_000

    @Argument(help: "The cell's name (leave it out with --count and --prefix).") var name: String?
    @Option(help: "Create this many cells, named --prefix, a dash and a number from 000001.") var count: Int?
    @Option(help: "The name prefix of the cells --count creates.") var prefix: String?
    @Option(help: "The zone of the cell's clients: the preferred leader and a majority go there.") var near: String?
    @Option(help: "Replicas: odd, 3 to 9.") var replicas: Int = 7
    @Option(help: "The color (deployment group) of the cell's nodes.") var color: String = Fleet.defaultColor
    @Option(help: "The most keys the cell may hold.") var maxKeys: UInt64?
    @Option(help: "The most bytes of keys and values the cell may hold.") var maxBytes: UInt64?
    @Option(help: "The largest value, in bytes.") var maxValueBytes: UInt64?
    @OptionGroup var options: ClientOptions

    func validate() throws {
        for (flag, value) in [("--max-keys", maxKeys), ("--max-bytes", maxBytes), ("--max-value-bytes", maxValueBytes)] where value == 0 {
            throw ValidationError("\(flag) must be at least 1 (leave it out for the colony's default)")
        }
        switch (name, count, prefix) {
        case (let name?, nil, nil):
            try Self.validateName(name)
        case (nil, let count?, let prefix?):
            guard (1...Self.countMax).contains(count) else { throw ValidationError("--count must be from 1 to \(Self.countMax)") }
            try Self.validateName(Self.bulkName(prefix: prefix, index: count, count: count))
        default:
            throw ValidationError("give a cell's name, or --count and --prefix (not both)")
        }
    }

    func run() async throws {
        let quota = ColonyClient.Quota(keysMax: maxKeys, bytesMax: maxBytes, valueBytesMax: maxValueBytes)
        if let count, let prefix {
            try await createMany(count: count, prefix: prefix, quota: quota)
            return
        }
        let name = name ?? ""
        let request = PlacementRequest(cell: CellID(name), replicas: replicas, nearZone: near, color: color)
        let (record, placedBefore) = try await options.withDirectory { directory in
            try await CellCreation.create(request, quota: quota, directory: directory)
        }
        let placement = record.placement
        let relaxed = placement.relaxed.map { "\n  \($0)" }.joined()
        options.show(
            "\(placedBefore ? "\(name) exists already" : "created \(name)"): members \(placement.members.map(\.description).joined(separator: ",")), preferred leader \(placement.preferredLeader)\(relaxed)",
            json: ["cell": name, "existed": placedBefore, "members": placement.members.map(\.rawValue), "preferredLeader": placement.preferredLeader.rawValue,
                   "relaxed": placement.relaxed.map(\.description)])
    }

    /// Creates cells `prefix`-000001 through `prefix`-`count` through the control plane's bulk
    /// creation.
    private func createMany(count: Int, prefix: String, quota: ColonyClient.Quota) async throws {
        let names = (1...count).map { Self.bulkName(prefix: prefix, index: $0, count: count) }
        let requests = names.map {
            CellCreation.Request(placement: PlacementRequest(cell: CellID($0), replicas: replicas, nearZone: near, color: color), quota: quota)
        }
        let started = ContinuousClock.now
        let records = try await options.withDirectory { directory in
            try await CellCreation.createMany(requests, directory: directory)
        }
        let seconds = (ContinuousClock.now - started).seconds
        let first = names[0]
        let last = names[names.count - 1]
        options.show(
            "created \(records.count) cells, \(first) through \(last), in \(String(format: "%.1f", seconds)) s",
            json: ["cells": records.count, "first": first, "last": last, "seconds": seconds])
    }

    /// The name of cell `index` (from 1) of a bulk creation of `count`: the prefix, a dash
    /// and the number, zero-padded to six digits or to the width of `count`.
    static func bulkName(prefix: String, index: Int, count: Int) -> String {
        let digits = String(index)
        let width = max(6, String(count).count)
        return "\(prefix)-\(String(repeating: "0", count: width - digits.count))\(digits)"
    }

    private static func validateName(_ name: String) throws {
        do {
            _ = try CellID(validating: name)
        } catch {
            throw ValidationError("the cell name \"\(name)\" is not valid: \(error)")
        }
    }
}

/// `colony cell list`.
struct CellListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the cells one node hosts.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let cells = try await options.withClient { try await $0.listCells() }
        let lines = cells.map { cell in
            "\(cell.cell)  leader \(Self.leaderName(cell.leader))  revision \(cell.revision)  \(cell.keyCount) keys  \(cell.byteCount) bytes\(cell.damaged ? "  DAMAGED" : "")"
        }
        options.show(
            cells.isEmpty ? "(no cells)" : lines.joined(separator: "\n"),
            json: ["cells": cells.map(Self.object)])
    }

    /// `n4`, or `unknown` when the replica knows no leader (0).
    static func leaderName(_ leader: UInt32) -> String {
        leader == 0 ? "unknown" : "\(NodeID(leader))"
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
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Describe a cell: members (each as it says of itself), leader, usage and quotas.")
    @Argument(help: "The cell's name.") var name: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let survey = try await options.withClient(cell: name) { try await CellSurvey.take(name, client: $0) }
        let cell = survey.summary
        let limits = cell.limits
        let stuck = ForceRecovery.stuckMessage(cell: name, observed: survey.observed)
        let text = """
            \(cell.cell): epoch \(cell.configuration.epoch), leader \(CellListCommand.leaderName(cell.leader)), revision \(cell.revision), applied through slot \(cell.appliedThrough)\(cell.damaged ? ", DAMAGED" : "")
              keys:  \(cell.keyCount) of \(limits.keysMax)
              bytes: \(cell.byteCount) of \(limits.bytesMax) (values up to \(limits.valueBytesMax) bytes each)
              members:
                \(survey.memberLines.joined(separator: "\n    "))
            """ + (stuck.map { "\n  DOWN: \($0)" } ?? "")
        var object = CellListCommand.object(cell)
        object["stuck"] = stuck
        options.show(text, json: object)
    }
}

/// `colony cell delete NAME`.
struct CellDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a cell and all its keys.",
        discussion: "Every replica drops the cell's keys at the same log slot and keeps a small tombstone; every later request gets 'cell deleted', and the name cannot be used for a new cell. Then the cell's record leaves the directory, so the control plane stops placing it; if that fails, run the command again.")
    @Argument(help: "The cell's name.") var name: String
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard !ColonyDirectory.isReserved(name) else {
            throw ValidationError("the cell \(name) is the colony's own (names starting with \"_\" are reserved); it cannot be deleted")
        }
    }

    func run() async throws {
        // The cell goes first: a record left behind by a failure is seen by the control loop
        // (and removed by running the command again), while a cell without a record would
        // be one the control plane no longer moves off draining nodes.
        let alreadyDeleted = try await options.withClient { try await $0.deleteCell(name) }
        let recordRemoved = try await options.withDirectory { directory in
            do {
                return try await directory.removeCell(name)
            } catch DirectoryError.missing {
                return false
            }
        }
        let text = (alreadyDeleted ? "\(name) was already deleted" : "deleted \(name)") + (recordRemoved ? "; its directory record is removed" : "")
        options.show(text, json: ["cell": name, "alreadyDeleted": alreadyDeleted, "recordRemoved": recordRemoved])
    }
}
