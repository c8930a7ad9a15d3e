import ColonyCore

/// What opening a node's log found: each cell's durable state, the cells whose stored state
/// cannot be trusted, and what was repaired.
public struct Recovery: Sendable, CustomStringConvertible {
    /// The durable state of every cell whose files verified.
    public var cells: [CellID: DurableCellState]
    /// Cells whose stored state is damaged, each with the reason. Their replicas must not
    /// vote: they start empty, fetch the cell's state from peers, and ask to be renewed.
    public var damaged: [CellID: String]
    /// Segments read.
    public var segments: Int
    /// Records read.
    public var records: Int
    /// Snapshot files read.
    public var snapshotFiles: Int
    /// Bytes of a torn last write that were cut away, if there was one.
    public var tornTailBytes: Int?
    /// Every problem met, in words.
    public var problems: [String]
    /// The last log sequence number found.
    public var lastLSN: UInt64

    init(scan: LogScan) {
        cells = [:]
        for (cell, recovery) in scan.cells where scan.damaged[cell] == nil {
            cells[cell] = recovery.state
        }
        damaged = scan.damaged
        segments = scan.segments.count
        records = scan.segments.reduce(0) { $0 + $1.records }
        snapshotFiles = scan.snapshotFiles
        tornTailBytes = scan.tornTail?.bytes
        problems = scan.problems
        lastLSN = scan.lastLSN
    }

    public var description: String {
        var lines = [
            "recovered \(cells.count) cells from \(segments) segments (\(records) records) and \(snapshotFiles) snapshot files, up to record \(lastLSN)"
        ]
        if let tornTailBytes {
            lines.append("cut a torn last write of \(tornTailBytes) bytes (written but never synced before a crash)")
        }
        for (cell, reason) in damaged.sorted(by: { $0.key < $1.key }) {
            lines.append("DAMAGED cell \(cell): \(reason); it will not vote until it has fetched the cell from its peers and been renewed")
        }
        return lines.joined(separator: "\n")
    }
}
