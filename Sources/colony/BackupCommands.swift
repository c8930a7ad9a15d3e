import ArgumentParser
import ColonyBackup
import ColonyClient
import ColonyControl
import ColonyStorage
import Foundation

/// `colony backup [--to] DIR` and `colony backup verify DIR`.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Back up every cell of a colony to a folder, or check a backup.",
        subcommands: [BackupSaveCommand.self, BackupVerifyCommand.self],
        defaultSubcommand: BackupSaveCommand.self)
}

/// `colony backup --to DIR [--key-file FILE]`.
struct BackupSaveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Read every cell the directory records, and the directory, each whole through its leader, into a new folder.",
        discussion: """
            Each cell is read at one revision by one linearizable read, after the backup began: every write \
            acknowledged before then is in the backup. The folder gets one file per cell and manifest.json (the \
            cells, their revisions, key counts and SHA-256), written last. With --key-file the cell files are sealed \
            with AES-256-GCM (the key file of a node's data at rest: 32 raw bytes or 64 hex digits); the manifest \
            stays readable. Needs the role admin when the colony's authorization is on.
            """)
    @Option(help: "The folder to write the backup into: new, or empty.") var to: String
    @Option(help: "How many cells are read at once (1 to 64).") var parallel = 8
    @OptionGroup var storage: StorageOptions
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be from 1 to 64") }
    }

    func run() async throws {
        let sealer = Sealer(key: try storage.key())
        var caSHA256: String?
        if case .files(let ca, _, _) = try options.tls(), let bytes = FileManager.default.contents(atPath: ca) {
            caSHA256 = BackupHex.sha256([UInt8](bytes))
        }
        let figures = try await options.withClient { client in
            var taking = BackupTaking(client: client, folder: BackupFolder(path: to), sealer: sealer, caSHA256: caSHA256)
            taking.cellsInFlightMax = parallel
            return try await taking.run()
        }
        let cells = figures.manifest.cells.count
        let rate = Double(cells) / max(figures.duration.seconds, 0.001)
        let skipped = figures.skipped.map { "\n  left out \($0.cell): \($0.reason)" }.joined()
        options.show(
            "backed up \(Format.count(cells, "cell")) (\(Format.count(figures.keys, "key")), \(figures.fileBytes) bytes\(sealer.isSealing ? ", encrypted" : "")) to \(to) in \(Format.rounded(figures.duration)): \(String(format: "%.0f", rate)) cells/s\(skipped)",
            json: [
                "folder": to, "cells": cells, "keys": figures.keys, "bytes": figures.fileBytes, "encrypted": sealer.isSealing,
                "seconds": figures.duration.seconds, "backupID": figures.manifest.backupID,
                "skipped": figures.skipped.map { ["cell": $0.cell, "reason": $0.reason] },
            ])
    }
}

/// `colony backup verify DIR [--key-file FILE]`.
struct BackupVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a backup without a colony: its manifest, and every cell file's length, SHA-256, decryption and contents.",
        discussion: "Exit status: 0 when every file checks, 2 (invalid_input) when the manifest or any file does not, naming each.")
    @Argument(help: "The backup's folder.") var folder: String
    @OptionGroup var storage: StorageOptions
    @Flag(help: "Print JSON, for scripts.") var json = false

    func run() async throws {
        let sealer = Sealer(key: try storage.key())
        var problems: [String] = []
        var keys = 0
        let manifest: BackupManifest
        do {
            manifest = try await BackupFolder(path: folder).verify(sealer: sealer) { outcome in
                if let problem = outcome.problem { problems.append(problem) }
                keys += outcome.archive?.items.count ?? 0
            }
        } catch let error as BackupVerificationError {
            throw CommandFailure(.invalidInput, "the backup in \(folder) cannot be checked: \(error)")
        }
        guard problems.isEmpty else {
            throw CommandFailure(.invalidInput, "\(problems.count) of the backup's \(manifest.cells.count) cells do not check:\n  " + Self.listed(problems))
        }
        let text = "backup \(manifest.backupID) of \(manifest.began): \(manifest.cells.count) cells, \(keys) keys\(manifest.encrypted ? ", encrypted" : ""); every file checks"
        if json, let data = try? JSONSerialization.data(
            withJSONObject: ["backupID": manifest.backupID, "cells": manifest.cells.count, "keys": keys, "encrypted": manifest.encrypted, "began": manifest.began],
            options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(text)
        }
    }
}

extension BackupVerifyCommand {
    /// The problems shown: the first 20, then how many more.
    static func listed(_ problems: [String]) -> String {
        let shown = problems.prefix(20).joined(separator: "\n  ")
        return problems.count > 20 ? shown + "\n  ... and \(problems.count - 20) more" : shown
    }
}

/// `colony restore --from DIR [--key-file FILE] [--overwrite | --skip-existing] [--cells A,B]`.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make a backup's cells again in a colony: create each the colony lacks, write its keys back.",
        discussion: """
            The whole backup is checked first; nothing is written from a damaged one. Each cell is created on nodes \
            this colony's placer chooses, with the quota and placement request (replicas, zone, color) it was backed \
            up with, then its keys are written in transactions (keys get new versions). A cell the colony has already \
            is refused before anything is written, unless --overwrite (its keys become the backup's: others deleted) \
            or --skip-existing. The colony's own cells (\(ColonyDirectory.cell)) are not restored: their node records \
            and placements belong to the old colony; its authorization policy replaces the colony's only with --policy. Needs the role admin when the colony's authorization is on.
            """)
    @Option(help: "The backup's folder.") var from: String
    @Option(help: "Only these cells of the backup, comma-separated.") var cells: String?
    @Flag(help: "Make the keys of cells the colony has already the backup's.") var overwrite = false
    @Flag(help: "Leave the cells the colony has already as they are.") var skipExisting = false
    @Flag(help: "Also put the backup's authorization policy in place of the colony's (refused when it is on and this client is not an admin in it).")
    var policy = false
    @Option(help: "Replicas of every created cell (odd, 3 to 9) instead of the backup's, for a smaller colony.") var replicas: Int?
    @Option(help: "How many cells are written at once (1 to 64).") var parallel = 8
    @OptionGroup var storage: StorageOptions
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard !(overwrite && skipExisting) else { throw ValidationError("--overwrite and --skip-existing go one without the other") }
        guard (1...64).contains(parallel) else { throw ValidationError("--parallel must be from 1 to 64") }
        if let replicas, replicas % 2 == 0 || !(3...9).contains(replicas) { throw ValidationError("--replicas must be odd, from 3 to 9") }
    }

    func run() async throws {
        let sealer = Sealer(key: try storage.key())
        let figures: BackupRestoring.Figures
        do {
            figures = try await options.withClient { client in
                var restoring = BackupRestoring(directory: Directory(client: client), folder: BackupFolder(path: from), sealer: sealer)
                restoring.only = cells.map { Set($0.split(separator: ",").map(String.init)) }
                restoring.overwrite = overwrite
                restoring.skipExisting = skipExisting
                restoring.replicas = replicas
                restoring.cellsInFlightMax = parallel
                restoring.policyRestoredBy = policy ? try options.identity() : nil
                return try await restoring.run()
            }
        } catch let error as BackupVerificationError {
            throw CommandFailure(.invalidInput, "the backup in \(from) cannot be read: \(error)")
        }
        let restored = figures.created.count + figures.overwritten.count
        let rate = Double(restored) / max(figures.duration.seconds, 0.001)
        var lines = ["restored \(Format.count(restored, "cell")) (\(Format.count(figures.keys, "key"))) from \(from) in \(Format.rounded(figures.duration)): \(String(format: "%.0f", rate)) cells/s; \(figures.created.count) created, \(figures.overwritten.count) overwritten"]
        if !figures.skipped.isEmpty { lines.append("left as they were: \(BackupRestoring.names(figures.skipped))") }
        if !figures.reserved.isEmpty {
            let held = figures.directoryHeld.map { " (\($0))" } ?? ""
            let kept = figures.policy == nil ? "nodes, placements and authorization policy (--policy restores the policy)" : "nodes and placements"
            lines.append("not restored: \(figures.reserved.joined(separator: ", ")), the old colony's own\(held): this colony keeps its own \(kept)")
        }
        if let restored = figures.policy {
            lines.append("the backup's authorization policy is in place: authorization \(restored.enabled ? "on" : "off"), \(Format.count(restored.roles.count, "role")), \(restored.bindings.count) identities bound")
        }
        options.show(
            lines.joined(separator: "\n"),
            json: [
                "created": figures.created.count, "overwritten": figures.overwritten.count, "skipped": figures.skipped, "reserved": figures.reserved,
                "keys": figures.keys, "seconds": figures.duration.seconds, "policyRestored": figures.policy != nil,
            ])
    }
}
