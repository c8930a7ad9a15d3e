import ColonyCore
import ColonySim
@_spi(Testing) import ColonyStorage
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

    @Test("after a last segment with a damaged header, the log goes on in a new file that the next start reads")
    func damagedLastSegmentIsNotReused() throws {
        let disk = try writtenLog()
        let last = try #require(segments(disk).last)
        let damagedBytes = try disk.size(of: last)
        disk.flipBit(in: last, at: 30, bit: 1)
        let (log, first) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100))
        let cell = try #require(first.damaged.keys.min())
        log.append(.damaged(renewal: RequestID(client: ClientID(1 << 63), sequence: 1)), cell: cell)
        try log.flush()
        #expect(try disk.size(of: last) == damagedBytes, "nothing is appended to the damaged file")
        let (_, second) = try StorageSupport.open(disk)
        #expect(second.lastLSN == log.durableLSN)
        #expect(second.cells[cell]?.damagedRenewal != nil, "the damaged replica's renewal request survives the restart")
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
