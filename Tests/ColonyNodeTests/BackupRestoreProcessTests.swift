import ColonyBackup
import ColonyCheck
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyStorage
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony backup` and `colony restore` against real node processes: a backup taken under a
/// checked load, verified, and restored into a second, fresh colony.
@Suite("backup and restore between two colonies of node processes", .serialized, .colonyTurn)
struct BackupRestoreProcessTests {
    @Test(
        "a backup under a checked load holds every write acknowledged before it began, and a fresh colony restored from it holds each cell's backed-up keys at their versions, each cell at its recorded revision",
        .timeLimit(.minutes(4)))
    func backupUnderLoadThenRestore() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-backup-\(UUID().uuidString)"
        let (source, directory) = try await ControlPlaneSupport.colony(nodes: 5, directoryReplicas: 3, root: root + "/source")
        defer {
            source.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let cells = ["b1", "b2", "b3", "b4"]
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory)
        }
        let keyFile = root + "/backup.key"
        try #require(FileManager.default.createFile(atPath: keyFile, contents: Data(BackupTaking.randomBytes(32)), attributes: [.posixPermissions: 0o600]))
        let folder = root + "/backup"

        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(5)
        var runner = LoadRunner(nodes: source.clientAddresses, tls: source.clientTLS, cells: cells)
        runner.clients = 4
        runner.duration = .seconds(150)
        runner.policy = policy
        let load = runner
        let log = HistoryLog()
        async let history = load.run(history: log)
        let progress = LoadProgress(log: log, perStep: 60, within: .seconds(60))
        try await progress.wait("before the backup")
        try await progress.wait("before the backup")

        // The backup is a read of every key, from before it began to after it ended, checked
        // with the load: a write acknowledged before it began and missing from it fails the check.
        let keys = (0..<load.keysPerCell).map { "k\($0)" }
        var readers: [String: Int] = [:]
        for cell in cells {
            for key in keys {
                let process = await log.newProcess()
                readers[cell + "/" + key] = process
                await log.record(process, .invoke, .read, cell, key, .null)
            }
        }
        let backup = try await ControlPlaneSupport.run(["backup", "--to", folder, "--key-file", keyFile], against: source)
        try #require(backup.status == 0, "backup: \(backup.error)")
        var archives: [String: CellArchive] = [:]
        let manifest = try await BackupFolder(path: folder).verify(sealer: Sealer(key: try StorageKey(file: keyFile))) { outcome in
            #expect(outcome.problem == nil, "\(outcome.problem ?? "")")
            if let archive = outcome.archive { archives[archive.cell] = archive }
        }
        for cell in cells {
            let archive = try #require(archives[cell], "the backup has no cell \(cell)")
            for key in keys {
                let value = archive.items.first { $0.key == key }.map { HistoryValue.string(String(decoding: $0.value, as: UTF8.self)) } ?? .null
                await log.record(readers[cell + "/" + key]!, .ok, .read, cell, key, value)
            }
        }
        try await progress.wait("after the backup")
        await log.stop()
        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "the backup's reads and the load are not linearizable: \(report)")
        // The check has teeth: the same history with the backup holding, for one key, a value
        // overwritten before the backup began (what a stale read would give) is refused.
        // Before the backup some 120 operations ran over 12 keys, a third of them writes: some key was written twice in a row.
        let stale = try #require(Self.staleBackup(events, readers: Set(readers.values)), "no key was written twice before the backup")
        #expect(!LinearizabilityChecker().check(stale).isLinearizable, "a stale backup passed the check")
        #expect(manifest.encrypted && Set(manifest.cells.map(\.cell)) == Set(cells + [ColonyDirectory.cell]))
        print("backup under load: \(backup.output.trimmingCharacters(in: .newlines)); \(events.filter { $0.type == .ok }.count) operations ok")

        let (target, fresh) = try await ControlPlaneSupport.colony(nodes: 5, directoryReplicas: 3, root: root + "/target")
        defer { target.stopAll() }
        let restore = try await ControlPlaneSupport.run(["restore", "--from", folder, "--key-file", keyFile], against: target)
        try #require(restore.status == 0, "restore: \(restore.error)")
        print("restore: \(restore.output.trimmingCharacters(in: .newlines))")
        for entry in manifest.cells where entry.cell != ColonyDirectory.cell {
            let restored = try await fresh.client.readWholeCell(entry.cell)
            let archive = try #require(archives[entry.cell])
            #expect(restored.items.map(\.key) == archive.items.map(\.key), "cell \(entry.cell)")
            #expect(restored.items.map(\.value) == archive.items.map(\.value), "cell \(entry.cell)")
            #expect(restored.items.count == entry.keys)
            #expect(restored.items.map(\.version) == archive.items.map(\.version), "cell \(entry.cell)")
            #expect(restored.revision == entry.revision, "cell \(entry.cell)")
            let quota = try await fresh.client.cellInfo(entry.cell).limits
            #expect(quota.keysMax == entry.quota.keysMax && quota.bytesMax == entry.quota.bytesMax)
        }
        // The fresh colony keeps its own directory: its node records, not the source's.
        #expect(try await fresh.nodes().map(\.clientAddress) == target.clientAddresses)
        let again = try await ControlPlaneSupport.run(["restore", "--from", folder, "--key-file", keyFile], against: target)
        #expect(again.status == 1 && again.error.contains("nothing was written"), "a second restore: \(again.error)")
        // Overwriting makes a changed cell the backup's again: its extra key deleted, its keys rewritten.
        let changed = try #require(archives[cells[0]])
        _ = try await fresh.client.put(cells[0], "extra", "not in the backup")
        if let first = changed.items.first { _ = try await fresh.client.put(cells[0], first.key, "changed") }
        let overwrite = try await ControlPlaneSupport.run(["restore", "--from", folder, "--key-file", keyFile, "--overwrite", "--cells", cells[0]], against: target)
        #expect(overwrite.status == 0 && overwrite.output.contains("1 overwritten"), "\(overwrite)")
        let rewritten = try await fresh.client.readWholeCell(cells[0])
        #expect(rewritten.items.map(\.key) == changed.items.map(\.key) && rewritten.items.map(\.value) == changed.items.map(\.value))
        await directory.client.close()
        await fresh.client.close()
    }

    /// `events` with the completion of one of the backup's reads (the processes `readers`)
    /// changed to the value of a write that a later write — begun after it was acknowledged —
    /// overwrote before the read began; nil when the load left no key with such a pair.
    static func staleBackup(_ events: [HistoryEvent], readers: Set<Int>) -> [HistoryEvent]? {
        var invoked: [Int: HistoryEvent] = [:]
        var writes: [(cell: String, key: String?, value: String, invoked: UInt64, acknowledged: UInt64)] = []
        for event in events {
            guard event.type != .invoke else {
                invoked[event.process] = event
                continue
            }
            if event.type == .ok, event.function == .write, let begun = invoked[event.process], let value = event.value.string {
                writes.append((event.cell, event.key, value, begun.time, event.time))
            }
        }
        for read in events where readers.contains(read.process) && read.type == .ok {
            guard let begun = invoked[read.process] else { continue }
            let before = writes.filter { $0.cell == read.cell && $0.key == read.key && $0.acknowledged < begun.time }
            guard let overwritten = before.first(where: { first in before.contains { $0.invoked > first.acknowledged } }) else { continue }
            var stale = events
            stale[read.index].value = .string(overwritten.value)
            return stale
        }
        return nil
    }
}
