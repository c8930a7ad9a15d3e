import ColonyCore
import ColonyWire

/// Reading one segment's records: each frame in order, folded into its cell, with what
/// is missing, repeated or damaged noted on the way.
extension LogScan {
    /// Reads a segment's frames in order, expecting record `first` first. A damaged stretch
    /// is stepped over to the next intact frame, whose numbers say what was lost; only a bad
    /// stretch at the end of the newest segment with no intact frame after it is a torn write
    /// (see `CommitMarker`).
    mutating func readRecords(
        _ bytes: [UInt8], header: SegmentHeader, from first: UInt64, segment: inout Segment, isLast: Bool, sealer: Sealer,
        limits: WireLimits
    ) {
        var offset = SegmentHeader.byteCount
        var expected = first
        while true {
            switch RecordFrame.read(bytes, at: offset) {
            case .end:
                return
            case .record(let frame):
                guard frame.lsn >= expected else {
                    problems.append("\(segment.name): record \(frame.lsn) at offset \(offset) repeats an earlier number; ignored")
                    segment.repeats += 1
                    offset = frame.end
                    continue
                }
                noteMissing(before: frame.lsn, expected: expected, segment.name)
                take(frame, header: header, segment: &segment, sealer: sealer, limits: limits)
                expected = frame.lsn + 1
                offset = frame.end
            case .commit(let marker, let end):
                if marker.lastLSN >= expected {
                    // Records lost at the end of the batch show only here.
                    noteMissing(before: marker.lastLSN + 1, expected: expected, segment.name)
                    noteUsed(marker.lastLSN, in: &segment)
                    expected = marker.lastLSN + 1
                }
                segment.batches += 1
                offset = end
            case .badPayload(let lsn, let cell, let end):
                if isLast, isTornTail(at: offset, in: bytes) {
                    tornTail = (segment.name, offset, bytes.count - offset)
                    return
                }
                segment.isWhole = false
                noteMissing(before: lsn, expected: expected, segment.name)
                // Its header survived, and names the only cell it can belong to.
                damage(cell, at: lsn, "\(segment.name): record \(lsn) at offset \(offset) fails its checksum")
                // A repeat's number is an earlier segment's, not one of this segment's own.
                if lsn >= expected { noteUsed(lsn, in: &segment) }
                expected = max(expected, lsn + 1)
                offset = end
            case .badHeader, .incomplete:
                // The record's cell is unknown: the numbers skipped up to the next intact
                // frame make an unreadable range, which damages every cell it may have held
                // (every cell with state here that no snapshot covering it vouches for). A
                // cell whose only records were lost is known nowhere: its replica comes back,
                // when a peer's message asks for it, empty and waiting to be renewed (as any
                // replica this node does not hold), so it cannot vote on what it forgot.
                if isLast, isTornTail(at: offset, in: bytes) {
                    tornTail = (segment.name, offset, bytes.count - offset)
                    return
                }
                segment.isWhole = false
                guard let next = RecordFrame.nextIntactHeader(in: bytes, after: offset) else {
                    // What is lost shows as a gap before the next segment's first record.
                    problems.append("\(segment.name): bytes from offset \(offset) to the end are unreadable")
                    return
                }
                problems.append("\(segment.name): bytes \(offset)–\(next) are unreadable")
                offset = next
            }
        }
    }

    /// Whether the bad frame at `offset` of the newest segment is a torn write: no intact
    /// frame follows it, so it cannot have been synced (see `CommitMarker`).
    private func isTornTail(at offset: Int, in bytes: [UInt8]) -> Bool {
        // Blind to commit markers, the last flush's damaged records pass for a torn write.
        let markers = !defects.contains(.everyBadTailIsTorn)
        return RecordFrame.nextIntactHeader(in: bytes, after: offset, markers: markers) == nil
    }

    /// Records `expected` up to `lsn` (exclusive) are missing: an unreadable range.
    private mutating func noteMissing(before lsn: UInt64, expected: UInt64, _ segment: String) {
        guard lsn > expected else { return }
        unreadable(expected...(lsn - 1), "\(segment): records \(expected)–\(lsn - 1) are missing")
    }

    /// Record `lsn` existed (read, damaged or named by a marker): numbers are never reused.
    private mutating func noteUsed(_ lsn: UInt64, in segment: inout Segment) {
        segment.lastLSN = max(segment.lastLSN ?? 0, lsn)
        lastLSN = max(lastLSN, lsn)
    }

    private mutating func take(_ frame: RecordFrame.Frame, header: SegmentHeader, segment: inout Segment, sealer: Sealer, limits: WireLimits) {
        segment.records += 1
        segment.lastLSN = frame.lsn
        segment.recordsPerCell[frame.cell, default: 0] += 1
        lastLSN = max(lastLSN, frame.lsn)
        // One dictionary access, changing the cell in place: a copy taken out of the
        // dictionary would copy all its entries for every record.
        let outcome = Self.fold(frame, header: header, sealer: sealer, limits: limits, into: &cells[frame.cell, default: CellRecovery()])
        switch outcome {
        case .applied, .covered:
            break
        case .restarted:
            restartPositions[frame.cell] = frame.lsn
        case .failed(let reason):
            damage(frame.cell, at: frame.lsn, "\(segment.name): record \(frame.lsn) \(reason)")
        }
    }

    private enum FoldOutcome {
        case applied
        case covered
        case restarted
        case failed(String)
    }

    /// Opens, decodes and applies one record to its cell, unless the cell's snapshot covers it.
    private static func fold(
        _ frame: RecordFrame.Frame, header: SegmentHeader, sealer: Sealer, limits: WireLimits, into cell: inout CellRecovery
    ) -> FoldOutcome {
        guard frame.lsn > cell.snapshotCoveredLSN else { return .covered }
        let nonce = SegmentHeader.nonce(salt: header.salt, index: UInt32(truncatingIfNeeded: frame.lsn - header.firstLSN))
        guard let payload = sealer.open(frame.payload, nonce: nonce, context: RecordFrame.context(lsn: frame.lsn, cell: frame.cell)) else {
            return .failed("does not open with the configured key")
        }
        let record: DurableRecord
        do {
            record = try WireCodec.decode(DurableRecord.self, from: payload, limits: limits)
        } catch {
            return .failed("does not decode: \(error)")
        }
        cell.state.apply(record)
        if cell.firstLiveLSN == nil {
            cell.firstLiveLSN = frame.lsn
        }
        cell.lastLSN = frame.lsn
        if case .damaged = record { return .restarted }
        return .applied
    }
}
