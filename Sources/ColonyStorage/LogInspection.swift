import ColonyCore
import ColonyWire

/// A readable account of a node's log and snapshot files, for operators: what is there,
/// whether every checksum holds, and what recovery would do. Reading only: nothing is changed.
public struct LogInspection: Sendable, CustomStringConvertible {
    /// One line per segment.
    public var segments: [String]
    /// Record counts per cell, most first.
    public var recordsPerCell: [(cell: CellID, records: Int)]
    /// Snapshot files found.
    public var snapshotFiles: Int
    /// Problems found, in words; empty when every checksum holds.
    public var problems: [String]
    /// What recovery would do, in words.
    public var recoveryPlan: [String]

    /// Inspects the files of `disk`, opening sealed data with `key`.
    public static func inspect(disk: Disk, key: StorageKey?, limits: WireLimits = WireLimits()) throws(StorageError) -> LogInspection {
        let scan = try LogScan.scan(disk, sealer: Sealer(key: key), limits: limits)
        let segments = scan.segments.map { segment in
            let range = segment.lastLSN.map { "records \(segment.firstLSN)–\($0)" } ?? "no records"
            return "\(segment.name): \(range), \(segment.records) records in \(segment.batches) committed flushes, \(segment.bytes) bytes, \(segment.recordsPerCell.count) cells"
        }
        var perCell: [CellID: Int] = [:]
        for segment in scan.segments {
            for (cell, count) in segment.recordsPerCell { perCell[cell, default: 0] += count }
        }
        let recordsPerCell = perCell.map { (cell: $0.key, records: $0.value) }
            .sorted { ($0.records, $1.cell) > ($1.records, $0.cell) }
        var plan: [String] = []
        if let torn = scan.tornTail {
            plan.append("cut the torn last write: \(torn.bytes) bytes at offset \(torn.offset) of \(torn.segment)")
        }
        for leftover in scan.leftovers {
            plan.append("remove \(leftover), left by an interrupted snapshot")
        }
        for redundant in scan.redundantSegments {
            plan.append("remove \(redundant): named among earlier segments' numbers, it holds none of its own")
        }
        for (name, newName) in scan.renamedSegments {
            plan.append("rename \(name) to \(newName): named among earlier segments' numbers, it holds its own after them")
        }
        for (cell, reason) in scan.damaged.sorted(by: { $0.key < $1.key }) {
            plan.append("mark cell \(cell) DAMAGED (\(reason)): it will fetch the cell from its peers and ask to be renewed before it votes")
        }
        let healthy = scan.cells.keys.filter { scan.damaged[$0] == nil }.count
        plan.append("rebuild \(healthy) cells up to record \(scan.lastLSN) and continue in a new segment")
        return LogInspection(
            segments: segments, recordsPerCell: recordsPerCell, snapshotFiles: scan.snapshotFiles,
            problems: scan.problems, recoveryPlan: plan)
    }

    public var description: String {
        var lines = ["segments (\(segments.count)):"]
        lines += segments.map { "  " + $0 }
        lines.append("snapshot files: \(snapshotFiles)")
        lines.append("records per cell (\(recordsPerCell.count) cells, busiest first):")
        lines += recordsPerCell.prefix(20).map { "  \($0.cell): \($0.records)" }
        if recordsPerCell.count > 20 { lines.append("  … and \(recordsPerCell.count - 20) more cells") }
        lines.append(problems.isEmpty ? "checksums: every record and snapshot verifies" : "problems (\(problems.count)):")
        lines += problems.map { "  " + $0 }
        lines.append("recovery would:")
        lines += recoveryPlan.map { "  " + $0 }
        return lines.joined(separator: "\n")
    }
}
