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

    @Test("a record numbered past the largest log sequence number is damage, not a crash")
    func recordNumberOutOfRange() throws {
        let disk = try writtenLog()
        let first = try #require(segments(disk).first)
        // The first record's number, just after its magic.
        try rewrite(disk, first) { bytes in
            store(UInt64.max, in: &bytes, at: 72 + 4)
            ChecksumRepair.resealSegment(&bytes)
        }
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 8, "record 1 is lost, and with it any cell's first record")
        #expect(recovery.lastLSN == 200)
    }

    @Test("a segment header or snapshot numbered past the largest log sequence number is damage, not a crash")
    func headerAndSnapshotNumbersOutOfRange() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        try StorageSupport.write(2_000, to: log)
        let snapshot = try #require(disk.sortedFileNames.first { $0.hasPrefix("snap-") })
        try rewrite(disk, snapshot) { bytes in
            store(UInt64.max, in: &bytes, at: 12)
            ChecksumRepair.resealSnapshot(&bytes)
        }
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 1)
        #expect(recovery.lastLSN == 2_000)
        let segment = try #require(segments(disk).last)
        try rewrite(disk, segment) { bytes in
            store(UInt64.max, in: &bytes, at: 16)
            ChecksumRepair.resealSegment(&bytes)
        }
        let (_, again) = try StorageSupport.open(disk)
        #expect(again.problems.contains { $0.contains("out of range") })
    }

    /// Opens the log over a damaged last segment, writes what a node writes next (each
    /// damaged cell's request to be renewed, then a record of a cell found whole, if there
    /// is one) and opens it again: the second start reads everything written after the
    /// first, and finds every other cell as it was. Returns both recoveries and the name of
    /// the segment written in between.
    func restartTwice(_ disk: SimulatedDisk, _ options: WriteAheadLog.Options) throws -> (first: Recovery, second: Recovery, written: String) {
        let (log, first) = try StorageSupport.open(disk, options)
        let start = log.upcomingLSN
        for (index, cell) in first.damaged.keys.sorted().enumerated() {
            log.append(.damaged(renewal: RequestID(client: ClientID(1 << 63), sequence: UInt64(index + 1))), cell: cell)
        }
        let whole = first.cells.keys.min()
        if let whole {
            log.append(.promise(Ballot(epoch: 1_000_000, round: 1, node: NodeID(9))), cell: whole)
        }
        try log.flush()
        let written = SegmentHeader.fileName(firstLSN: start)
        #expect(segments(disk).contains(written))
        let (_, second) = try StorageSupport.open(disk, options)
        #expect(second.lastLSN == log.durableLSN)
        #expect(second.damaged.isEmpty, "each damaged cell's renewal makes its damage moot")
        for cell in first.damaged.keys {
            #expect(second.cells[cell]?.damagedRenewal != nil, "the damaged replica's renewal request survives the restart")
        }
        for (cell, state) in first.cells {
            #expect((second.cells[cell] == state) == (cell != whole), "what was written after the first start is read at the second")
        }
        return (first, second, written)
    }

    @Test("after a last segment with a damaged header, the log goes on in a new file that the next start reads", arguments: [false, true])
    func damagedLastSegmentIsNotReused(sealed: Bool) throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100, key: sealed ? StorageSupport.key : nil)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(200, to: log)
        let last = try #require(segments(disk).last)
        disk.flipBit(in: last, at: 30, bit: 1)
        let damaged = try disk.readAll(last)
        let (first, _, written) = try restartTwice(disk, options)
        // Unsealed, the records read as well as ever; sealed, each damages the cell it names.
        #expect(first.damaged.isEmpty == !sealed)
        #expect(written != last)
        #expect(try disk.readAll(last) == damaged, "nothing is appended to the damaged file")
    }

    @Test("a last segment with a damaged header and nothing readable after it holds no synced flush: it goes, and the log takes its name again", arguments: [false, true])
    func damagedLastSegmentWithNothingAfterItsHeader(sealed: Bool) throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100, key: sealed ? StorageSupport.key : nil)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(200, to: log)
        let last = try #require(segments(disk).last)
        let firstLSN = try #require(SegmentHeader.firstLSN(ofFileNamed: last))
        // The header damaged and no intact frame after it: all a torn first flush leaves.
        try rewrite(disk, last) { bytes in
            for offset in 20..<bytes.count { bytes[offset] = 0xA5 }
        }
        let size = try disk.size(of: last)
        let (first, _, written) = try restartTwice(disk, options)
        #expect(first.tornTailBytes == size)
        #expect(first.lastLSN == firstLSN - 1)
        #expect(written == last)
    }

    @Test("a last segment no record of its own numbers can be read from damages every cell, and the log goes on past every number it may hold")
    func lastSegmentWithNoReadableRecord() throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(200, to: log)
        // A copy of the first segment under the next name: its records repeat earlier numbers.
        let copy = SegmentHeader.fileName(firstLSN: 201)
        try disk.append(copy, try disk.readAll(try #require(segments(disk).first)))
        try disk.sync(copy)
        disk.flipBit(in: copy, at: 30, bit: 1)
        let bytes = try disk.readAll(copy)
        let (first, second, written) = try restartTwice(disk, options)
        #expect(first.damaged.count == 8, "records 201 onwards may have belonged to any cell")
        #expect(first.lastLSN > 201)
        #expect(written == SegmentHeader.fileName(firstLSN: first.lastLSN + 1))
        #expect(try disk.readAll(copy) == bytes, "nothing is appended to the unreadable file")
        #expect(second.problems.contains { $0.contains("records 201–\(first.lastLSN) are missing") }, "the same numbers are unreadable at the next start")
    }

    @Test("a last segment whose only records repeat earlier numbers, one of them damaged, holds no number of its own: the log goes on past it, not in it", arguments: [false, true])
    func lastSegmentOfDamagedRepeats(sealed: Bool) throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100, key: sealed ? StorageSupport.key : nil)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(200, to: log)
        // The fuzzer's finding (seed 28, input 38,120): the first segment's records under the
        // next name, behind a header that verifies, the payload of the first one damaged.
        let copy = SegmentHeader.fileName(firstLSN: 201)
        let first = try disk.readAll(try #require(segments(disk).first))
        var bytes = SegmentHeader(firstLSN: 201, salt: 7, sealer: Sealer(key: options.key)).bytes + first[SegmentHeader.byteCount...]
        guard case .record(let frame) = RecordFrame.read(bytes, at: SegmentHeader.byteCount) else {
            Issue.record("the first segment begins with a record")
            return
        }
        bytes[frame.end - RecordFrame.trailerBytes - 1] ^= 1
        try disk.append(copy, bytes)
        try disk.sync(copy)
        let (found, _, written) = try restartTwice(disk, options)
        #expect(found.lastLSN > 201)
        #expect(written != copy)
        #expect(try disk.readAll(copy) == bytes, "nothing is appended to the copy")
    }

    @Test("a segment of garbage named past the snapshots holds no synced flush, and its name does not make the next start lose records")
    func garbageSegmentPastTheSnapshots() throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 2)
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, options)
        try StorageSupport.write(400, to: log)
        // The snapshot target's finding: a snapshot file copied under a segment name past
        // what the snapshots cover, its only segment. Once the log went on below that name,
        // the next start found numbers missing between its new segment and this one.
        for segment in segments(disk) {
            try disk.remove(segment)
        }
        let snapshot = try #require(disk.sortedFileNames.first { $0.hasPrefix("snap-") })
        try disk.append(SegmentHeader.fileName(firstLSN: 1_000), try disk.readAll(snapshot))
        try disk.syncDirectory()
        let (first, _, written) = try restartTwice(disk, options)
        #expect(first.damaged.isEmpty)
        #expect(first.lastLSN == 999)
        #expect(written == SegmentHeader.fileName(firstLSN: 1_000))
    }

    @Test("a commit marker numbered past the largest log sequence number is damage, not the log's next number")
    func markerNumberOutOfRange() throws {
        let options = StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100)
        let disk = try writtenLog()
        let last = try #require(segments(disk).last)
        try rewrite(disk, last) { bytes in
            let marker = bytes.count - CommitMarker.byteCount
            store(RecordFrame.lsnMax + 1, in: &bytes, at: marker + 12)
            let checksum = CRC32C.checksum(bytes[marker..<(marker + 20)])
            for index in 0..<4 {
                bytes[marker + 20 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * index))
            }
        }
        let (first, _, written) = try restartTwice(disk, options)
        #expect(first.lastLSN == 200)
        #expect(written == SegmentHeader.fileName(firstLSN: 201))
    }

    @Test("records that snapshots cover but no segment holds are missing, and damage the cells they may have held")
    func lostLastSegment() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 2_048, segmentsMax: 2))
        try StorageSupport.write(400, to: log)
        let (_, whole) = try StorageSupport.open(disk)
        #expect(whole.damaged.isEmpty)
        let last = try #require(segments(disk).last)
        try disk.remove(last)
        try disk.syncDirectory()
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(!recovery.damaged.isEmpty)
        #expect(recovery.problems.contains { $0.contains("snapshots cover them, no segment holds them") })
    }
}
