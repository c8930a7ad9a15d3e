import ColonyCore
import ColonySim
@_spi(Testing) @testable import ColonyStorage
import Testing

/// Log sequence numbers read from disk are bounded, and the log never gives a number, or a
/// segment name, that a damaged file may already hold. Each test is a finding of
/// `colony fuzz wal` or `colony fuzz snapshot`, rebuilt by hand: the edits are resealed
/// (`ChecksumRepair`) so they reach the code behind the checksums, as the fuzzer's did.
@Suite("log sequence numbers from disk")
struct LogNumberingTests {
    /// A log of 8 cells over several segments, no snapshots yet.
    func writtenLog() throws -> SimulatedDisk {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100))
        try StorageSupport.write(200, to: log)
        return disk
    }

    func segments(_ disk: SimulatedDisk) -> [String] {
        disk.sortedFileNames.filter { $0.hasPrefix("wal-") }
    }

    /// Replaces a file with an edited copy of itself.
    func rewrite(_ disk: SimulatedDisk, _ name: String, _ edit: (inout [UInt8]) -> Void) throws {
        var bytes = try disk.readAll(name)
        edit(&bytes)
        try disk.remove(name)
        try disk.append(name, bytes)
        try disk.sync(name)
    }

    func store(_ value: UInt64, in bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index))
        }
    }

    @Test("a segment named for record 0, or in capital hex digits, is not a segment (it was a crash)")
    func segmentNamesOutsideTheLog() throws {
        let disk = try writtenLog()
        let (_, before) = try StorageSupport.open(disk)
        let first = try #require(segments(disk).first)
        let bytes = try disk.readAll(first)
        try disk.append("wal-0000000000000000.seg", bytes)
        try disk.append("wal-00000000000000C8.seg", bytes)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.isEmpty)
        #expect(recovery.cells == before.cells)
    }

    @Test("a copy of a segment, its header damaged and its tail torn, named among the segment's own numbers, repeats them: ignored, now and at the next start")
    func copyNamedAmongEarlierNumbers() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        try StorageSupport.write(4, to: log, cells: 1, batch: 4)
        let first = try #require(segments(disk).first)
        var copy = try disk.readAll(first)
        copy[40] ^= 0xFF
        // Torn inside its last record, as a crash while the copy was written would leave it.
        var offset = SegmentHeader.byteCount
        var lastRecord = offset
        while case .record(let frame) = RecordFrame.read(copy, at: offset) {
            lastRecord = offset
            offset = frame.end
        }
        copy.removeSubrange((lastRecord + 10)...)
        try disk.append("wal-0000000000000002.seg", copy)
        let (reopened, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.isEmpty, "\(recovery.damaged)")
        #expect(recovery.lastLSN == 4)
        try StorageSupport.write(1, to: reopened, cells: 2, batch: 1)
        let (_, again) = try StorageSupport.open(disk)
        #expect(again.damaged.isEmpty, "\(again.damaged)")
        for (cell, state) in recovery.cells {
            #expect(again.cells[cell] == state, "cell \(cell) changed between two starts")
        }
    }

    @Test("a segment of garbage named among the first segment's numbers is not removed at recovery (it may be a later one renamed), and once the first is freed no cell the snapshots cover is damaged")
    func garbageNamedAmongFreedNumbers() throws {
        let options = StorageSupport.options(segmentBytes: 1 << 20, segmentsMax: 2)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(48, to: log, cells: 3)
        // After a restart the log goes on in a second segment, with records of another cell.
        let (restarted, _) = try StorageSupport.open(disk, options)
        restarted.append(.healed, cell: CellID("written-later"))
        try restarted.flush()
        var garbage = Array(repeating: UInt8(0xA5), count: 156)
        garbage.replaceSubrange(0..<8, with: Array("CLNYSEG?".utf8))
        try disk.append("wal-0000000000000002.seg", garbage)
        try disk.sync("wal-0000000000000002.seg")
        let (reopened, first) = try StorageSupport.open(disk, options)
        #expect(first.damaged.isEmpty, "\(first.damaged)")
        // A third segment frees the first, once every cell it held has its snapshot.
        for _ in 0..<4 {
            reopened.append(.healed, cell: CellID("written-after"))
            try reopened.flush()
        }
        #expect(!segments(disk).contains("wal-0000000000000001.seg"))
        let (_, second) = try StorageSupport.open(disk, options)
        // The snapshots cover the log as far as it was durable, past the numbers the garbage
        // is named among; a cell whose records all come after them may have had some there.
        for (cell, state) in first.cells where cell != CellID("written-later") {
            #expect(second.damaged[cell] == nil, "\(second.damaged)")
            #expect(second.cells[cell] == state, "cell \(cell) changed between two starts")
        }
    }

    /// The finding of `colony fuzz wal --seed 21`, input 189,125: a log whose second segment
    /// (records 49 and 50, the only records of one cell) was renamed among the first
    /// segment's numbers, its magic damaged, so that only its name places it. Seeds 29 and
    /// 30 found it copied there instead, the copy damaged and the segment kept whole.
    func laterSegmentRenamedAmongEarlierNumbers(_ options: WriteAheadLog.Options, keepingIt: Bool = false) throws -> SimulatedDisk {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(48, to: log, cells: 3)
        let (restarted, _) = try StorageSupport.open(disk, options)
        restarted.append(.healed, cell: CellID("written-later"))
        restarted.append(.healed, cell: CellID("written-later"))
        try restarted.flush()
        let second = SegmentHeader.fileName(firstLSN: 49)
        try disk.append("wal-0000000000000002.seg", try disk.readAll(second))
        try disk.sync("wal-0000000000000002.seg")
        if !keepingIt { try disk.remove(second) }
        disk.flipBit(in: "wal-0000000000000002.seg", at: 0, bit: 0)
        try disk.syncDirectory()
        return disk
    }

    /// Writes to the log until `segment` is freed (every cell it held snapshotted).
    func free(_ segment: String = "wal-0000000000000001.seg", writingTo log: WriteAheadLog, _ disk: SimulatedDisk) throws {
        for _ in 0..<4 {
            log.append(.healed, cell: CellID("written-after"))
            try log.flush()
        }
        #expect(!segments(disk).contains(segment))
    }

    @Test("a later segment renamed among the first segment's numbers, its header damaged, takes the name after them at recovery (the place of a whole copy of it, removed): once the first is freed, the cell whose only records it holds is still whole", arguments: [false, true])
    func laterSegmentRenamedAmongFreedNumbers(keepingIt: Bool) throws {
        let options = StorageSupport.options(segmentBytes: 1 << 20, segmentsMax: 2)
        let disk = try laterSegmentRenamedAmongEarlierNumbers(options, keepingIt: keepingIt)
        let (reopened, first) = try StorageSupport.open(disk, options)
        #expect(first.damaged.isEmpty, "\(first.damaged)")
        #expect(first.cells[CellID("written-later")] != nil)
        #expect(segments(disk).contains(SegmentHeader.fileName(firstLSN: 49)), "renamed for the record after the first segment's")
        #expect(!segments(disk).contains("wal-0000000000000002.seg"))
        try free(writingTo: reopened, disk)
        let (_, second) = try StorageSupport.open(disk, options)
        #expect(second.damaged.isEmpty, "\(second.damaged)")
        for (cell, state) in first.cells {
            #expect(second.cells[cell] == state, "cell \(cell) changed between two starts")
        }
    }

    @Test("a crash at any step of that recovery, or of the writes that free the first segment, leaves files the next start reads as the first did", arguments: [false, true])
    func crashWhileRenamingAmongEarlierNumbers(keepingIt: Bool) throws {
        let options = StorageSupport.options(segmentBytes: 1 << 20, segmentsMax: 2)
        let (_, found) = try StorageSupport.open(try laterSegmentRenamedAmongEarlierNumbers(options, keepingIt: keepingIt), options)
        var random = SplitMix64(seed: 12)
        var stops = 0
        while true {
            let disk = try laterSegmentRenamedAmongEarlierNumbers(options, keepingIt: keepingIt)
            disk.operationsUntilFailure = stops
            do {
                let (log, _) = try StorageSupport.open(disk, options)
                try free(writingTo: log, disk)
            } catch {
                // The disk stopped mid-way: power is cut here.
            }
            let finished = disk.operationsUntilFailure.map { $0 > 0 } ?? true
            disk.crash(using: &random)
            let (log, first) = try StorageSupport.open(disk, options)
            try free(writingTo: log, disk)
            let (_, second) = try StorageSupport.open(disk, options)
            for recovery in [first, second] {
                #expect(recovery.damaged.isEmpty, "stopped after \(stops) disk operations: \(recovery.damaged)")
                for (cell, state) in found.cells {
                    #expect(recovery.cells[cell] == state, "stopped after \(stops) disk operations: cell \(cell) changed")
                }
            }
            if finished { break }
            stops += 1
        }
        #expect(stops > 10)
    }

    @Test("a segment holding copies of the next one's records, the next damaged among them: once the first is freed, no cell it found whole is damaged")
    func segmentHoldingCopiesOfTheNext() throws {
        let options = StorageSupport.options(segmentBytes: 1 << 20, segmentsMax: 2)
        let disk = SimulatedDisk()
        let idle = CellID("idle")
        let busy = CellID("busy")
        // Each start goes on in a new segment: records 1–2, 3–4, 5–8. The first flush into
        // the third frees the first, and snapshots both cells at record 5.
        let (log, _) = try StorageSupport.open(disk, options)
        log.append(.healed, cell: idle)
        log.append(.healed, cell: busy)
        for count in [2, 4] {
            try log.flush()
            let (restarted, _) = try StorageSupport.open(disk, options)
            for _ in 0..<count {
                restarted.append(.healed, cell: busy)
                try restarted.flush()
            }
        }
        let (first, next) = (SegmentHeader.fileName(firstLSN: 3), SegmentHeader.fileName(firstLSN: 5))
        #expect(segments(disk) == [first, next])
        // The fuzzer's finding (seeds 23, 26 and 30): the first segment goes on with a copy of
        // the next one's records 5 to 7, so they repeat there; in the next, record 5's payload
        // and record 7's header are damaged.
        let bytes = try disk.readAll(next)
        var frames: [UInt64: RecordFrame.Frame] = [:]
        var offset = SegmentHeader.byteCount
        reading: while true {
            switch RecordFrame.read(bytes, at: offset) {
            case .record(let frame):
                frames[frame.lsn] = frame
                offset = frame.end
            case .commit(_, let end):
                offset = end
            default:
                break reading
            }
        }
        try disk.append(first, Array(bytes[SegmentHeader.byteCount..<(try #require(frames[8]).start)]))
        try disk.sync(first)
        disk.flipBit(in: next, at: try #require(frames[5]).end - RecordFrame.trailerBytes - 1, bit: 0)
        disk.flipBit(in: next, at: try #require(frames[7]).start, bit: 0)
        let (reopened, found) = try StorageSupport.open(disk, options)
        #expect(found.damaged.isEmpty, "\(found.damaged)")
        try free(first, writingTo: reopened, disk)
        let (_, second) = try StorageSupport.open(disk, options)
        #expect(second.damaged.isEmpty, "\(second.damaged)")
        for (cell, state) in found.cells {
            #expect(second.cells[cell] == state, "cell \(cell) changed between two starts")
        }
    }
}
