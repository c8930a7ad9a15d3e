import ArgumentParser
import ColonyStorage
import Foundation

/// `colony wal`: tools for a node's write-ahead log.
struct WalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Inspect or exercise a node's write-ahead log.",
        subcommands: [WalInspectCommand.self, WalExerciseCommand.self]
    )
}

/// Options every WAL tool shares.
struct StorageOptions: ParsableArguments {
    @Option(help: "A key file (32 raw bytes or 64 hex digits) if the data is sealed.")
    var keyFile: String?

    func key() throws -> StorageKey? {
        guard let keyFile else { return nil }
        do {
            return try StorageKey(file: keyFile)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// `colony wal inspect DIR`: a readable dump of a node's log and snapshots.
struct WalInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a node's log segments, records per cell, checksums, and what recovery would do. Changes nothing.",
        discussion: "Exit status: 0 when every checksum holds, 1 when problems were found, 2 when the data cannot be read."
    )

    @Argument(help: "The node's data directory.")
    var directory: String

    @OptionGroup var storage: StorageOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw ValidationError("no directory \(directory)")
        }
        do {
            let inspection = try LogInspection.inspect(disk: try FileDisk(directory: directory), key: try storage.key())
            print(inspection.description)
            if !inspection.problems.isEmpty { throw ExitCode.failure }
        } catch let error as DiskError {
            throw CommandFailure(.invalidInput, "colony wal inspect: \(error)")
        } catch let error as StorageError {
            throw CommandFailure(.invalidInput, "colony wal inspect: \(error)")
        }
    }
}

/// `colony wal exercise`: writes a known load to a log until stopped, printing what is durable.
struct WalExerciseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exercise",
        abstract: "Write a known load to a log in DIR, printing `durable N` after each fsync; kill it at any moment and check what survived.",
        discussion: """
            The crash tests run this, kill it with SIGKILL at random points, and check that every record it \
            reported durable is recovered and that nothing it never wrote appears. Operators can do the same to \
            try a disk. Records go to a fresh log or continue an existing one.
            """
    )

    @Option(help: "The data directory (created if missing).")
    var dir: String

    @Option(help: "Cells the records spread over.")
    var cells: Int = 64

    @Option(help: "Records to write before stopping (0: until killed).")
    var records: UInt64 = 0

    @Option(help: "Segment size in bytes (small segments exercise snapshots and segment deletion).")
    var segmentBytes: Int = 256 * 1024

    @OptionGroup var storage: StorageOptions

    func validate() throws {
        guard cells >= 1, cells <= 100_000 else { throw ValidationError("--cells must be from 1 to 100000") }
        guard segmentBytes >= 4_096 else { throw ValidationError("--segment-bytes must be at least 4096") }
    }

    func run() throws {
        var options = WriteAheadLog.Options()
        options.segmentBytesMax = segmentBytes
        options.key = try storage.key()
        let disk = try FileDisk(directory: dir)
        let (log, recovery) = try WriteAheadLog.open(disk: disk, options: options, seed: UInt64.random(in: 0...UInt64.max))
        printNow("recovered: \(recovery.description.split(separator: "\n").first ?? "")")
        printNow("start \(log.upcomingLSN)")
        var written: UInt64 = 0
        while records == 0 || written < records {
            // A batch of 1 to 40 records, sized from its first LSN so a rerun writes the same.
            var batch = 1 + log.upcomingLSN % 40
            if records > 0 { batch = min(batch, records - written) }
            for _ in 0..<batch {
                let (cell, record) = LogExercise.record(at: log.upcomingLSN, cells: cells)
                log.append(record, cell: cell)
                written += 1
            }
            let durable = try log.flush()
            printNow("durable \(durable)")
        }
    }
}
