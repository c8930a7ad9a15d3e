import ColonyCore
import ColonySim
@testable import ColonyStorage
import Testing
@testable import colony

@Suite("the write-ahead log")
struct WriteAheadLogTests {
    @Test("CRC-32C matches the standard check value")
    func checksum() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum(Array("56789".utf8), continuing: CRC32C.checksum(Array("1234".utf8))) == 0xE306_9283)
    }

    @Test("the processor's CRC instruction and the tables agree on every length and alignment")
    func checksumPaths() {
        var random = SplitMix64(seed: 7)
        let bytes = (0..<4099).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        bytes.withUnsafeBufferPointer { all in
            for start in 0..<9 {
                for count in [0, 1, 7, 8, 9, 63, 64, 65, 1000, 4090] {
                    let slice = UnsafeBufferPointer(rebasing: all[start..<start + count])
                    let bySlicing = ~CRC32C.updateBySlicing(~0, slice)
                    #expect(CRC32C.checksum(slice) == bySlicing, "start \(start), count \(count)")
                }
            }
        }
    }

    @Test("what was flushed is recovered, cell by cell, exactly")
    func roundTrip() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        let written = try StorageSupport.write(500, to: log)
        let before = log.cellStates
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.cells == before)
        #expect(recovery.damaged.isEmpty)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
    }

    @Test("one flush makes every record appended before it durable with one fsync")
    func groupCommit() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 1 << 20))
        for lsn in 0..<1_000 {
            let (cell, record) = LogExercise.record(at: UInt64(lsn) + 1, cells: 100)
            log.append(record, cell: cell)
        }
        try log.flush()
        #expect(log.statistics.flushes == 1)
        #expect(log.durableLSN == 1_000)
    }

    @Test("full segments are freed by per-cell snapshots, and recovery reads both")
    func segmentsAreFreed() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk)
        let written = try StorageSupport.write(3_000, to: log)
        #expect(log.statistics.segmentsDeleted > 5)
        #expect(log.statistics.snapshotsWritten > 0)
        let segments = disk.sortedFileNames.filter { $0.hasPrefix("wal-") }
        #expect(segments.count <= 4)
        let (_, recovery) = try StorageSupport.open(disk)
        #expect(recovery.cells == log.cellStates)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
    }

    @Test("with more cells pinning a segment than one flush may snapshot, each flush writes at most its bound and the segments still go")
    func boundedSnapshotsPerFlush() throws {
        let disk = SimulatedDisk()
        var options = StorageSupport.options()
        options.snapshotsPerFlushMax = 7
        let (log, _) = try StorageSupport.open(disk, options)
        var written: ClosedRange<UInt64>?
        var most = 0
        for _ in 0..<600 {
            let before = log.statistics.snapshotsWritten
            let batch = try StorageSupport.write(5, to: log, cells: 100, batch: 5)
            written = written.map { $0.lowerBound...(batch?.upperBound ?? $0.upperBound) } ?? batch
            most = max(most, log.statistics.snapshotsWritten - before)
        }
        #expect(most == 7, "the most snapshots one flush wrote")
        #expect(log.statistics.segmentsDeleted > 5)
        let (_, recovery) = try StorageSupport.open(disk, options)
        #expect(recovery.cells == log.cellStates)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 100).isEmpty)
    }

    @Test("a crash at any step of writing loses nothing acknowledged and invents nothing")
    func crashAtEveryStep() throws {
        var random = SplitMix64(seed: 9)
        for stop in 0..<400 {
            let disk = SimulatedDisk()
            let (log, _) = try StorageSupport.open(disk)
            var acknowledged: ClosedRange<UInt64>?
            disk.operationsUntilFailure = stop
            do {
                for _ in 0..<200 {
                    let first = log.upcomingLSN
                    for _ in 0..<3 {
                        let (cell, record) = LogExercise.record(at: log.upcomingLSN, cells: 8)
                        log.append(record, cell: cell)
                    }
                    try log.flush()
                    acknowledged = (acknowledged?.lowerBound ?? first)...(log.upcomingLSN - 1)
                }
            } catch {
                // The disk stopped mid-way: power is cut here.
            }
            disk.crash(using: &random)
            let (_, recovery) = try StorageSupport.open(disk)
            let problems = LogExercise.problems(in: recovery.cells, acknowledged: acknowledged, cells: 8)
            #expect(problems.isEmpty, "stopped after \(stop) disk operations: \(problems.prefix(3))")
            #expect(recovery.damaged.isEmpty, "stopped after \(stop): \(recovery.damaged)")
        }
    }

    @Test("a torn last write is cut away, and the log goes on from there")
    func tornTail() throws {
        var random = SplitMix64(seed: 3)
        var sawTorn = false
        for _ in 0..<20 {
            let disk = SimulatedDisk()
            let (log, _) = try StorageSupport.open(disk, StorageSupport.options(segmentBytes: 1 << 20))
            let written = try StorageSupport.write(50, to: log)
            for _ in 0..<10 {
                let (cell, record) = LogExercise.record(at: log.upcomingLSN, cells: 8)
                log.append(record, cell: cell)
            }
            _ = try log.beginFlush()
            disk.crash(using: &random)
            let (reopened, recovery) = try StorageSupport.open(disk)
            sawTorn = sawTorn || recovery.tornTailBytes != nil
            #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
            #expect(recovery.damaged.isEmpty)
            let more = try StorageSupport.write(20, to: reopened)
            let (_, again) = try StorageSupport.open(disk)
            #expect(LogExercise.problems(in: again.cells, acknowledged: more, cells: 8).isEmpty)
        }
        #expect(sawTorn, "some crash tore the last write")
    }
}
