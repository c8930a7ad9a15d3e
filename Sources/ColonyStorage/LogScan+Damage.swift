import ColonyCore
import ColonyWire

/// What the whole pass decides once every file is read: which numbers are lost, which
/// cells those losses touch, and where the log goes on.
extension LogScan {
    /// Marks `cell` damaged by what was found at `lsn`, unless its snapshot covers that
    /// record; the latest damage of a cell is the one it reports.
    mutating func damage(_ cell: CellID, at lsn: UInt64, _ reason: String) {
        if lsn <= (cells[cell]?.snapshotCoveredLSN ?? 0) {
            problems.append("cell \(cell): \(reason); moot, its snapshot covers that record")
            return
        }
        problems.append("cell \(cell): \(reason)")
        if damagePositions[cell].map({ $0 < lsn }) ?? true {
            damagePositions[cell] = lsn
            damaged[cell] = reason
        }
    }

    /// Makes sure the log goes on in a segment no file here holds (it names its next segment
    /// for `lastLSN + 1`; written into a file already here, what follows would be unreadable
    /// at the next start), and that the next start reads the numbers in between as this one
    /// does. The last segment's name says the log had used every number before it. If no
    /// number of its own was read (no record, damaged record or commit marker), then either
    /// nothing past its header survives the cut of a torn write, and the whole file goes (it
    /// holds no synced flush; the log takes its name again, as after a crash that left half a
    /// header), or its bytes hold nothing readable as its records, and the last LSN moves past
    /// every number they may hold (as many records as they could frame): those numbers are
    /// unreadable now, as they are to the next start, which finds them before the next segment.
    mutating func passTheLastSegment() {
        guard let last = segments.last else { return }
        lastLSN = max(lastLSN, last.firstLSN - 1)
        guard last.lastLSN == nil, tornTail.map({ $0.segment != last.name || $0.offset > 0 }) ?? true else { return }
        let cut = tornTail.map { $0.segment == last.name ? $0.bytes : 0 } ?? 0
        let kept = last.bytes - cut - SegmentHeader.byteCount
        guard kept > 0 else {
            tornTail = (last.name, 0, last.bytes)
            return
        }
        let recordsMax = kept / (RecordFrame.fixedHeaderBytes + 1 + RecordFrame.trailerBytes)
        lastLSN = max(lastLSN, min(RecordFrame.lsnMax, last.firstLSN + UInt64(recordsMax)))
        unreadable(last.firstLSN...lastLSN, "segment \(last.name): no record can be read from it; records \(last.firstLSN)–\(lastLSN) may have been there")
    }

    /// Numbers in `range` cannot be read: any cell may have had records there.
    mutating func unreadable(_ range: ClosedRange<UInt64>, _ reason: String) {
        problems.append(reason)
        unreadableRanges.append(range)
    }

    /// Snapshots cover records up to their LSN, so the log held every record up to the
    /// highest one: those after the last segment's are missing (a lost last segment).
    mutating func markRecordsMissingAtTheEnd() {
        let logged = segments.last.map { $0.lastLSN ?? ($0.firstLSN - 1) } ?? 0
        let covered = cells.values.map(\.snapshotCoveredLSN).max() ?? 0
        guard covered > logged, unreadableRanges.allSatisfy({ $0.upperBound < UInt64.max }) else { return }
        unreadable((logged + 1)...covered, "log records \(logged + 1)–\(covered) are missing: snapshots cover them, no segment holds them")
    }

    /// A stretch of log that could not be read may have held records of any cell: every
    /// cell whose snapshot does not cover it is damaged.
    mutating func markCellsTouchedByUnreadableRanges() {
        for range in unreadableRanges {
            for (cell, recovery) in cells.sorted(by: { $0.key < $1.key }) where recovery.snapshotCoveredLSN < range.upperBound {
                let end = range.upperBound == UInt64.max ? "the end" : String(range.upperBound)
                damage(cell, at: range.upperBound, "an unreadable stretch of log (records \(range.lowerBound) to \(end)) may have held its records")
            }
        }
        for (cell, position) in damagePositions {
            if let restart = restartPositions[cell], restart > position {
                damaged[cell] = nil
                problems.append("cell \(cell): the damage predates the replica's own restart from peers at record \(restart); moot")
            }
        }
    }
}
