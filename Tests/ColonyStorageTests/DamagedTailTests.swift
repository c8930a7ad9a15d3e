import ColonyCore
import ColonySim
@_spi(Testing) @testable import ColonyStorage
import Testing
@testable import colony

/// A torn write is told from damage: only bad bytes at the end of the newest segment with no
/// intact frame after them are cut; a bad record that a commit marker (or a later flush)
/// proves was written whole may have been synced and acknowledged, so it damages the cells
/// it may belong to instead.
@Suite("telling a torn write from damage to the last flush")
struct DamagedTailTests {
    /// One segment of 50 records, flushed five at a time: the last flush holds records 46–50.
    func writtenLog(_ options: WriteAheadLog.Options = StorageSupport.options(segmentBytes: 1 << 20)) throws -> (SimulatedDisk, String, ClosedRange<UInt64>) {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        let written = try #require(try StorageSupport.write(50, to: log))
        let segment = try #require(disk.sortedFileNames.last { $0.hasPrefix("wal-") })
        return (disk, segment, written)
    }

    /// Where each frame of `segment` starts, in order.
    func frameOffsets(_ disk: SimulatedDisk, _ segment: String) throws -> [Int] {
        let bytes = try disk.readAll(segment)
        var offsets: [Int] = []
        var offset = SegmentHeader.byteCount
        while true {
            switch RecordFrame.read(bytes, at: offset) {
            case .record(let frame):
                offsets.append(offset)
                offset = frame.end
            case .commit(_, let end):
                offsets.append(offset)
                offset = end
            case .end, .badHeader, .badPayload, .incomplete:
                return offsets
            }
        }
    }

    @Test("a flipped bit in the last synced record damages its cell and is not cut as torn")
    func lastRecordPayload() throws {
        let (disk, segment, written) = try writtenLog()
        let size = try disk.size(of: segment)
        // Inside the last record's payload, just before its checksum and the commit marker.
        disk.flipBit(in: segment, at: size - CommitMarker.byteCount - RecordFrame.trailerBytes - 3, bit: 2)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.tornTailBytes == nil)
        #expect(recovery.lastLSN == written.upperBound)
        #expect(Set(recovery.damaged.keys) == [LogExercise.record(at: written.upperBound, cells: 8).cell])
        #expect(recovery.cells.count == 7)
    }

    @Test("recovery blind to commit markers cuts an acknowledged record (the defect the simulator must catch)")
    func blindRecoveryLosesTheRecord() throws {
        var options = StorageSupport.options(segmentBytes: 1 << 20)
        options.defects = [.everyBadTailIsTorn]
        let (disk, segment, written) = try writtenLog(options)
        let size = try disk.size(of: segment)
        disk.flipBit(in: segment, at: size - CommitMarker.byteCount - RecordFrame.trailerBytes - 3, bit: 2)
        let (_, recovery) = try StorageSupport.open(disk, options)
        #expect(recovery.tornTailBytes != nil)
        #expect(recovery.damaged.isEmpty)
        #expect(recovery.lastLSN == written.upperBound - 1, "record \(written.upperBound) was acknowledged, and is gone")
    }

    @Test("a flipped bit in the last record's header resyncs at the commit marker and damages every cell it may belong to")
    func lastRecordHeader() throws {
        let (disk, segment, written) = try writtenLog()
        let offsets = try frameOffsets(disk, segment)
        // The frames end: …, last record, commit marker.
        let lastRecord = offsets[offsets.count - 2]
        disk.flipBit(in: segment, at: lastRecord + 6, bit: 1)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.tornTailBytes == nil)
        #expect(recovery.lastLSN == written.upperBound, "the marker names the batch's last record")
        #expect(recovery.damaged.count == 8, "the lost record's cell is unknown: every cell with records there is damaged")
        #expect(recovery.problems.contains { $0.contains("records \(written.upperBound)–\(written.upperBound) are missing") })
    }

    @Test("a flipped bit in the last commit marker cuts only the marker")
    func lastMarker() throws {
        let (disk, segment, written) = try writtenLog()
        let size = try disk.size(of: segment)
        disk.flipBit(in: segment, at: size - 10, bit: 4)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.tornTailBytes == CommitMarker.byteCount)
        #expect(recovery.damaged.isEmpty)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
    }

    @Test("a damaged record in the last synced flush is damage even when a torn flush follows it")
    func damageBeforeATornFlush() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 1 << 20))
        let written = try #require(try StorageSupport.write(50, to: log))
        let segment = try #require(disk.sortedFileNames.last { $0.hasPrefix("wal-") })
        let offsets = try frameOffsets(disk, segment)
        let synced = try disk.size(of: segment)
        for _ in 0..<5 {
            let (cell, record) = LogExercise.record(at: log.upcomingLSN, cells: 8)
            log.append(record, cell: cell)
        }
        _ = try log.beginFlush()
        // Power is lost with 30 bytes of the unsynced flush on disk: less than a record.
        try disk.truncate(segment, to: synced + 30)
        try disk.sync(segment)
        disk.flipBit(in: segment, at: offsets[offsets.count - 2] + 45, bit: 0)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.tornTailBytes == 30)
        #expect(Set(recovery.damaged.keys) == [LogExercise.record(at: written.upperBound, cells: 8).cell])
        #expect(recovery.lastLSN == written.upperBound)
    }

    @Test("a segment header that does not verify costs nothing when unsealed: the file's name gives its first record")
    func damagedSegmentHeader() throws {
        let (disk, segment, written) = try writtenLog()
        disk.flipBit(in: segment, at: 20, bit: 3)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.isEmpty)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
        #expect(recovery.problems.contains { $0.contains("segment header checksum mismatch") })
    }

    @Test("a sealed segment whose header does not verify damages each cell its records name")
    func damagedSealedSegmentHeader() throws {
        let options = StorageSupport.options(segmentBytes: 1 << 20, key: StorageSupport.key)
        let (disk, segment, written) = try writtenLog(options)
        disk.flipBit(in: segment, at: 28, bit: 3)
        let (_, recovery) = try StorageSupport.open(disk, options)
        #expect(recovery.damaged.count == 8)
        #expect(recovery.lastLSN == written.upperBound)
    }
}
