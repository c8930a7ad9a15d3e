import ColonyCore
import ColonySim
import ColonyStorage
@testable import colony

/// Small logs on the simulated disk, for storage scenarios.
enum StorageSupport {
    static func options(segmentBytes: Int = 4_096, segmentsMax: Int = 3, key: StorageKey? = nil) -> WriteAheadLog.Options {
        var options = WriteAheadLog.Options()
        options.segmentBytesMax = segmentBytes
        options.segmentsMax = segmentsMax
        options.key = key
        return options
    }

    static func open(_ disk: Disk, _ options: WriteAheadLog.Options = options()) throws -> (WriteAheadLog, Recovery) {
        try WriteAheadLog.open(disk: disk, options: options, seed: 1)
    }

    /// Appends the exercise's records from the log's next LSN, flushing every `batch`;
    /// returns the LSNs made durable.
    @discardableResult
    static func write(_ count: Int, to log: WriteAheadLog, cells: Int = 8, batch: Int = 5) throws -> ClosedRange<UInt64>? {
        let first = log.upcomingLSN
        for index in 0..<count {
            let (cell, record) = LogExercise.record(at: log.upcomingLSN, cells: cells)
            log.append(record, cell: cell)
            if index % batch == batch - 1 { try log.flush() }
        }
        try log.flush()
        return count == 0 ? nil : first...(log.upcomingLSN - 1)
    }

    static let key: StorageKey = {
        do {
            return try StorageKey(bytes: Array(repeating: 7, count: 32))
        } catch {
            preconditionFailure("a 32-byte key is valid")
        }
    }()
}
