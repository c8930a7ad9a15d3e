import ColonyCore
import ColonySim
@_spi(Testing) @testable import ColonyStorage
import Testing

/// The end of the log and its largest numbers: a number past the largest is damage, never a
/// crash or the log's next number, and after a damaged last segment the log goes on in a
/// file the next start reads.
extension LogNumberingTests {
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
        var bytes = SegmentHeader(firstLSN: 201, salt: 7, sealer: Sealer(key: options.key), level: .first).bytes + first[SegmentHeader.byteCount...]
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
