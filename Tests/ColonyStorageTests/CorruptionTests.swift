import ColonyCore
import ColonySim
import ColonyStorage
import Testing

/// Damage to data at rest is never served: the cells it may have touched are marked damaged
/// (their replicas fetch the cell from peers and are renewed before they vote), and every
/// other cell is recovered whole.
@Suite("recovery from damaged storage")
struct CorruptionTests {
    /// A log of 8 cells over several segments, no snapshots yet.
    func writtenLog() throws -> (SimulatedDisk, ClosedRange<UInt64>) {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100))
        let written = try StorageSupport.write(200, to: log)
        return (disk, try #require(written))
    }

    func segments(_ disk: SimulatedDisk) -> [String] {
        disk.sortedFileNames.filter { $0.hasPrefix("wal-") }
    }

    @Test("a record failing its checksum mid-log damages its cell only")
    func badRecordPayload() throws {
        let (disk, _) = try writtenLog()
        let segment = try #require(segments(disk).first)
        // Past the 72-byte segment header and the first record's header: inside its payload.
        disk.flipBit(in: segment, at: 72 + 40, bit: 3)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 1)
        #expect(recovery.cells.count == 7)
        #expect(recovery.problems.contains { $0.contains("fails its checksum") })
    }

    @Test("an unreadable record header damages every cell not covered by a snapshot")
    func badRecordHeader() throws {
        let (disk, _) = try writtenLog()
        let segment = try #require(segments(disk).dropFirst().first)
        disk.flipBit(in: segment, at: 72 + 2, bit: 0)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 8)
        #expect(recovery.cells.isEmpty)
    }

    @Test("a missing segment damages every cell not covered by a snapshot")
    func missingSegment() throws {
        let (disk, _) = try writtenLog()
        let segment = try #require(segments(disk).dropFirst().first)
        try disk.remove(segment)
        try disk.syncDirectory()
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 8)
        #expect(recovery.problems.contains { $0.contains("missing") })
    }

    @Test("a snapshot file that does not verify damages its cell only")
    func badSnapshot() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        try StorageSupport.write(2_000, to: log)
        let snapshot = try #require(disk.sortedFileNames.first { $0.hasPrefix("snap-") })
        disk.flipBit(in: snapshot, at: 40, bit: 5)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.damaged.count == 1)
        #expect(recovery.damaged.values.first?.contains("does not verify") == true)
    }

    @Test("damage older than a replica's own restart from peers is moot")
    func damageBeforeRestartIsMoot() throws {
        let (disk, _) = try writtenLog()
        let segment = try #require(segments(disk).first)
        disk.flipBit(in: segment, at: 72 + 40, bit: 3)
        let (log, recovery) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 2_048, segmentsMax: 100))
        let cell = try #require(recovery.damaged.keys.first)
        log.append(.damaged(renewal: RequestID(client: ClientID(1 << 63), sequence: 1)), cell: cell)
        try log.flush()
        let (_, again) = try StorageSupport.open(disk)
        #expect(again.damaged.isEmpty)
        #expect(again.cells[cell]?.damagedRenewal != nil, "the replica still waits for its renewal")
    }
}
