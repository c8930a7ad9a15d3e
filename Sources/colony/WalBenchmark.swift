import ArgumentParser
import ColonyCore
import ColonyStorage
import Foundation

/// `colony bench wal`: the disk's raw fsync limit beside the WAL's group commit, on the same
/// disk in one run, and the time to recover a big log.
struct WalBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Raw append+fsync loops beside the WAL with 1 to 4096 concurrent cells, and recovery time of a large log.",
        discussion: "Writes into DIR (default: a new folder under the system's temporary directory) and removes what it wrote."
    )

    @Option(help: "Where to write (a folder on the disk to measure).")
    var dir: String?

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 2

    @Option(help: "Megabytes of log for the recovery measurement (0 to skip it).")
    var recoveryMegabytes: Int = 1_024

    @Option(help: "Cells in the recovery measurement.")
    var recoveryCells: Int = 10_000

    func validate() throws {
        guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be from 0 to 600") }
        guard recoveryMegabytes >= 0, recoveryMegabytes <= 65_536 else { throw ValidationError("--recovery-megabytes must be from 0 to 65536") }
        guard recoveryCells >= 1, recoveryCells <= 10_000_000 else { throw ValidationError("--recovery-cells must be from 1 to 10000000") }
    }

    func run() throws {
        let root = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("colony-bench-wal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        print("disk: \(root)")
        print(LatencyFigures.header)
        for (label, size) in [("raw append 256 B + fsync", 256), ("raw append 64 KiB + fsync", 64 * 1024)] {
            print(try rawLoop(directory: root + "/raw-\(size)", recordBytes: size).line(label))
        }
        for writers in [1, 16, 256, 4096] {
            print(try groupCommit(directory: root + "/wal-\(writers)", writers: writers).line("WAL, \(writers) writing cells"))
        }
        if recoveryMegabytes > 0 {
            try recovery(directory: root + "/recovery")
        }
    }

    /// A plain loop: append one record, fsync, repeat.
    private func rawLoop(directory: String, recordBytes: Int) throws -> LatencyFigures {
        let disk = try FileDisk(directory: directory)
        let record = [UInt8](repeating: 0x5A, count: recordBytes)
        var figures = LatencyFigures()
        let end = Clock.now + seconds
        while Clock.now < end {
            let started = Clock.now
            try disk.append("raw", record)
            try disk.sync("raw")
            figures.add(records: 1, bytes: recordBytes, fsyncs: 1, latency: Clock.now - started)
        }
        figures.elapsed = seconds
        return figures
    }

    /// `writers` cells, each appending one record and waiting for it to be durable before the
    /// next: every flush carries one record of every cell.
    private func groupCommit(directory: String, writers: Int) throws -> LatencyFigures {
        var options = WriteAheadLog.Options()
        options.segmentsMax = 1_000_000
        let (log, _) = try WriteAheadLog.open(disk: try FileDisk(directory: directory), options: options, seed: 1)
        let cells = (0..<writers).map { CellID("bench-\($0)") }
        var figures = LatencyFigures()
        var slot: UInt64 = 0
        let end = Clock.now + seconds
        while Clock.now < end {
            let started = Clock.now
            slot += 1
            for cell in cells {
                log.append(benchmarkRecord(slot: slot, valueBytes: 100), cell: cell)
            }
            let before = log.statistics.bytesWritten
            try log.flush()
            let latency = Clock.now - started
            figures.add(records: writers, bytes: log.statistics.bytesWritten - before, fsyncs: 1, latency: latency, count: writers)
        }
        figures.elapsed = seconds
        return figures
    }

    private func benchmarkRecord(slot: UInt64, valueBytes: Int) -> DurableRecord {
        let command = Command.client(ClientCommand(
            id: RequestID(client: ClientID(1), sequence: slot), operation: .put(Key("k"), Bytes(repeating: 7, count: valueBytes)),
            opensSession: true))
        return .accepted(slot: slot % 4 + 1, entry: LogEntry(ballot: Ballot(epoch: 1, round: 1, node: NodeID(1)), batch: [command], isChosen: false))
    }

    /// Writes a log of `recoveryMegabytes` over `recoveryCells` cells, then times reading its
    /// files raw and recovering it.
    private func recovery(directory: String) throws {
        var options = WriteAheadLog.Options()
        options.segmentsMax = 1_000_000
        let disk = try FileDisk(directory: directory)
        let (log, _) = try WriteAheadLog.open(disk: disk, options: options, seed: 1)
        let cells = (0..<recoveryCells).map { CellID("tenant-\($0)") }
        let target = recoveryMegabytes * 1024 * 1024
        var slot: UInt64 = 0
        while log.statistics.bytesWritten < target {
            slot += 1
            for cell in cells {
                log.append(benchmarkRecord(slot: slot, valueBytes: 1_000), cell: cell)
            }
            try log.flush()
        }
        let bytes = log.statistics.bytesWritten
        let cachesDropped = dropPageCache()
        var started = Clock.now
        var read = 0
        for name in try disk.fileNames() {
            read += try disk.readAll(name).count
        }
        let rawSeconds = Clock.now - started
        _ = dropPageCache()
        started = Clock.now
        let (_, recovery) = try WriteAheadLog.open(disk: try FileDisk(directory: directory), options: options, seed: 2)
        let recoverySeconds = Clock.now - started
        let megabytes = Double(bytes) / 1e6
        print(String(
            format: "recovery of %d cells, %.0f MB of log (%d records): %.2f s (%.0f MB/s); reading the same files raw: %.2f s (%.0f MB/s)",
            recovery.cells.count, megabytes, recovery.records, recoverySeconds, megabytes / recoverySeconds,
            rawSeconds, Double(read) / 1e6 / rawSeconds) + (cachesDropped ? ", page cache dropped before each" : ", page cache warm"))
    }

    /// Asks the kernel to drop its page cache (needs root); returns whether it did.
    private func dropPageCache() -> Bool {
        sync()
        return (try? "3".write(toFile: "/proc/sys/vm/drop_caches", atomically: false, encoding: .utf8)) != nil
    }
}

/// Throughput and latency of one measurement.
struct LatencyFigures {
    var records = 0
    var bytes = 0
    var fsyncs = 0
    var elapsed = 0.0
    private var latencies: [UInt64] = []

    static let header = Format.padded("", 30) + Format.padded("records/s", 12, right: true) + Format.padded("fsyncs/s", 11, right: true)
        + Format.padded("MB/s", 10, right: true) + Format.padded("p50", 11, right: true) + Format.padded("p99", 11, right: true)
        + Format.padded("p99.9", 11, right: true)

    /// Notes a flush of `records` records; its latency counts once per record (`count` times).
    mutating func add(records: Int, bytes: Int, fsyncs: Int, latency: Double, count: Int = 1) {
        self.records += records
        self.bytes += bytes
        self.fsyncs += fsyncs
        latencies.append(contentsOf: repeatElement(UInt64(latency * 1e9), count: count))
    }

    func line(_ label: String) -> String {
        let sorted = latencies.sorted()
        return Format.padded(label, 30) + String(
            format: "%12.0f %10.0f %9.1f", Double(records) / elapsed, Double(fsyncs) / elapsed, Double(bytes) / 1e6 / elapsed)
            + Format.padded(Format.milliseconds(percentile(sorted, 0.5)), 11, right: true)
            + Format.padded(Format.milliseconds(percentile(sorted, 0.99)), 11, right: true)
            + Format.padded(Format.milliseconds(percentile(sorted, 0.999)), 11, right: true)
    }
}

/// Monotonic seconds.
enum Clock {
    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
