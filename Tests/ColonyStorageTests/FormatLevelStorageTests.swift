import ColonyCore
import ColonySim
import Testing
@testable import ColonyStorage

/// A log written by a build that reads format levels 1 and 2 stays readable by the build
/// before it until its colony raises the level; after the raise, the build before refuses it,
/// naming the versions it reads, and the newer build reads all of it.
@Suite("write-ahead log format levels")
struct FormatLevelStorageTests {
    /// Small logs, as a build that reads levels 1 and 2 opens them.
    static func rehearsalOptions() -> WriteAheadLog.Options {
        var options = StorageSupport.options()
        options.formatsRead = FormatLevel.rehearsalRead
        return options
    }

    @Test("written at level 1 by a rehearsal build, a log reopens under a build that reads level 1 alone: the rollback holds")
    func levelOneRollsBack() throws {
        let disk = SimulatedDisk()
        let options = Self.rehearsalOptions()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(300, to: log)
        let written = log.cellStates
        let (reopened, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.isEmpty)
        #expect(reopened.cellStates == written)
    }

    @Test("raised to level 2, the next record starts a segment of level 2, and snapshots follow: the build before refuses the log at open, naming what it reads; the rehearsal build reads every record")
    func levelTwoRefusedByTheBuildBefore() throws {
        let disk = SimulatedDisk()
        let options = Self.rehearsalOptions()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(100, to: log)
        #expect(options.formatWritten.raise(to: .rehearsal))
        #expect(!options.formatWritten.raise(to: .first), "a level is never lowered")
        // The segment under way is of level 1 and not full: the next record starts one of level 2.
        try StorageSupport.write(1, to: log)
        #expect(throws: StorageError.self) { try StorageSupport.open(disk) }
        let snapshotsBefore = log.statistics.snapshotsWritten
        try StorageSupport.write(300, to: log)
        #expect(log.statistics.snapshotsWritten > snapshotsBefore, "no snapshot was written after the raise")
        let written = log.cellStates
        do {
            _ = try StorageSupport.open(disk)
            Issue.record("a build that reads level 1 alone opened a log written at level 2")
        } catch StorageError.unsupported(let message) {
            #expect(message.contains("format version 2") || message.contains("format version 3"), "\(message)")
            #expect(message.contains("reads versions 1") && message.contains("format levels 1"), "\(message)")
        }
        let (reopened, recovery) = try StorageSupport.open(disk, Self.rehearsalOptions())
        #expect(recovery.damaged.isEmpty)
        #expect(reopened.cellStates == written)
    }
}
