import ColonyCore
import ColonyWire

/// A read-only pass over a node's log and snapshot files: what recovery would rebuild, and
/// every problem it meets, classified. `WriteAheadLog.open` acts on it; `colony wal inspect`
/// prints it.
struct LogScan {
    /// One segment as found.
    struct Segment {
        var name: String
        var firstLSN: UInt64
        var lastLSN: UInt64?
        var records = 0
        /// Intact records whose numbers an earlier segment had used: ignored.
        var repeats = 0
        /// Whether every byte of it was read (a torn write cut from its end aside).
        var isWhole = true
        /// For a segment named among earlier numbers that only its name places (its header
        /// does not verify) and that holds numbers of its own: the number it was read from,
        /// the one after the earlier segments' last (see `renamedSegments`).
        var ownNumbersFrom: UInt64?
        /// Intact commit markers: flushes known to have been written whole.
        var batches = 0
        var bytes = 0
        var recordsPerCell: [CellID: Int] = [:]
    }

    /// What a cell's files say.
    struct CellRecovery {
        var state = DurableCellState()
        var snapshotCoveredLSN: UInt64 = 0
        var firstLiveLSN: UInt64?
        var lastLSN: UInt64 = 0
    }

    var segments: [Segment] = []
    var cells: [CellID: CellRecovery] = [:]
    var snapshotFiles = 0
    /// Cells whose stored state cannot be trusted, with why.
    var damaged: [CellID: String] = [:]
    /// Where each damage was found: a damage before the cell's latest `.damaged` record is
    /// moot, for that record discarded everything before it (the replica started over).
    private var damagePositions: [CellID: UInt64] = [:]
    private var restartPositions: [CellID: UInt64] = [:]
    /// Stretches of log that could not be read at all: any cell may have had records there.
    var unreadableRanges: [ClosedRange<UInt64>] = []
    /// A torn write at the very end of the log, to be cut away: segment, offset, bytes.
    var tornTail: (segment: String, offset: Int, bytes: Int)?
    /// Every problem, in words, in the order met.
    var problems: [String] = []
    /// Temporary files left by an interrupted snapshot.
    var leftovers: [String] = []
    /// Copies: segments named among an earlier segment's numbers, read whole, whose every
    /// record repeats an earlier number. They hold nothing the log needs, and are removed.
    /// (One that cannot be read whole stays: it may be a later segment renamed.)
    var redundantSegments: [String] = []
    /// Segments named among an earlier segment's numbers whose header does not verify, so
    /// that only the name places them, and that hold numbers of their own after those: each
    /// is renamed for the number this start read it from, the one after the earlier
    /// segments' last, when that name still comes before the next segment kept. A later
    /// start then reads it as this one did, even once the earlier segments are freed, rather
    /// than reading the numbers between its old name and its own records as missing. Old
    /// name and new, later segments first, so that no new name is one still in use.
    var renamedSegments: [(from: String, to: String)] = []
    /// The highest log sequence number known to have been used: by a record read, damaged or
    /// named by a commit marker, or by the log before its last segment, or that the last
    /// segment may hold (see `passTheLastSegment`).
    var lastLSN: UInt64 = 0
    /// The highest number the segments read so far used (or, for one with none of its own,
    /// that its name says came before it).
    private var segmentsThrough: UInt64?
    private var defects: Set<StorageDefect> = []

    /// Reads every file; throws only when the data cannot be opened at all (a wrong key, an
    /// unknown format version, a failing disk).
    static func scan(_ disk: Disk, sealer: Sealer, limits: WireLimits, defects: Set<StorageDefect> = []) throws(StorageError) -> LogScan {
        var scan = LogScan()
        scan.defects = defects
        let names: [String]
        do {
            names = try disk.fileNames()
        } catch {
            throw .disk(error)
        }
        scan.leftovers = names.filter { $0.hasSuffix(".tmp") }.sorted()
        let segmentNames = names.compactMap { name in SegmentHeader.firstLSN(ofFileNamed: name).map { (name, $0) } }
            .sorted { $0.1 < $1.1 }
        // The disk reads each next segment while this one is decoded, so decoding hides
        // behind reading rather than adding to it.
        if let first = segmentNames.first { disk.prefetch(first.0) }
        for name in names.sorted() {
            if let cell = SnapshotFile.cell(ofFileNamed: name) {
                try scan.readSnapshot(name, cell: cell, disk: disk, sealer: sealer, limits: limits)
            }
        }
        for (index, (name, firstLSN)) in segmentNames.enumerated() {
            let nextFirstLSN = index + 1 < segmentNames.count ? segmentNames[index + 1].1 : nil
            if index + 1 < segmentNames.count { disk.prefetch(segmentNames[index + 1].0) }
            try scan.readSegment(name, firstLSN: firstLSN, nextFirstLSN: nextFirstLSN, disk: disk, sealer: sealer, limits: limits)
        }
        scan.markRecordsMissingAtTheEnd()
        scan.passTheLastSegment()
        scan.markCellsTouchedByUnreadableRanges()
        scan.renameSegmentsPlacedByNameAlone()
        return scan
    }

    private mutating func readSnapshot(
        _ name: String, cell: CellID, disk: Disk, sealer: Sealer, limits: WireLimits
    ) throws(StorageError) {
        let bytes: [UInt8]
        do {
            bytes = try disk.readAll(name)
        } catch {
            throw .disk(error)
        }
        snapshotFiles += 1
        switch SnapshotFile.decode(bytes, sealer: sealer, limits: limits) {
        case .success(let file) where file.cell == cell:
            cells[cell, default: CellRecovery()].state = file.state
            cells[cell, default: CellRecovery()].snapshotCoveredLSN = file.coveredLSN
            cells[cell, default: CellRecovery()].lastLSN = file.coveredLSN
            lastLSN = max(lastLSN, file.coveredLSN)
        case .success(let file):
            damage(cell, at: UInt64.max, "snapshot file \(name) holds cell \(file.cell)")
        case .failure(.wrongKey):
            throw .wrongKey("snapshot \(name) does not open with the configured key (or was written \(sealer.isSealing ? "without a key" : "with one"))")
        case .failure(.damaged(let reason)):
            // Where in the cell's history the lost snapshot stood is unknown: no later record clears it.
            damage(cell, at: UInt64.max, "snapshot file \(name) does not verify: \(reason)")
        }
    }

    private mutating func readSegment(
        _ name: String, firstLSN: UInt64, nextFirstLSN: UInt64?, disk: Disk, sealer: Sealer, limits: WireLimits
    ) throws(StorageError) {
        let bytes: [UInt8]
        do {
            bytes = try disk.readAll(name)
        } catch {
            throw .disk(error)
        }
        var segment = Segment(name: name, firstLSN: firstLSN, bytes: bytes.count)
        // A segment named among the numbers of an earlier one (a copy, a file renamed) holds
        // nothing new below them: its records there repeat and are ignored, the segment after
        // it follows on from the earlier one, and if it is a copy, read whole, it goes.
        let expectedFirst = segmentsThrough.map { $0 + 1 }
        let isNamedAmongEarlierNumbers = expectedFirst.map { firstLSN < $0 } ?? false
        defer {
            if isNamedAmongEarlierNumbers, segment.lastLSN == nil, segment.repeats > 0, segment.isWhole {
                redundantSegments.append(name)
                problems.append("segment \(name) is named among earlier segments' numbers and repeats them; removed")
                if tornTail?.segment == name { tornTail = nil }
            } else {
                segments.append(segment)
                segmentsThrough = max(segmentsThrough ?? 0, segment.lastLSN ?? firstLSN - 1)
            }
        }
        if let expectedFirst, firstLSN > expectedFirst {
            unreadable(expectedFirst...(firstLSN - 1), "log records \(expectedFirst)–\(firstLSN - 1) are missing (no segment holds them)")
        }
        let header: SegmentHeader
        var headerVerifies = true
        switch SegmentHeader.read(bytes) {
        case .success(let read) where read.firstLSN == firstLSN:
            guard read.matches(sealer) else {
                throw .wrongKey("segment \(name) does not open with the configured key (or was written \(read.isSealed ? "with a key" : "without one"))")
            }
            header = read
        case .success:
            segment.isWhole = false
            if let nextFirstLSN {
                unreadable(firstLSN...(nextFirstLSN - 1), "segment \(name): header names another first record")
            } else {
                // The last segment: `passTheLastSegment` says what it may have held.
                problems.append("segment \(name): header names another first record")
            }
            return
        case .failure(.unsupportedVersion(let version)):
            throw .unsupported("segment \(name) has format version \(version); this program reads version \(SegmentHeader.version)")
        case .failure(.damaged(let reason)):
            guard bytes.count >= SegmentHeader.byteCount else {
                segment.isWhole = false
                if let nextFirstLSN {
                    unreadable(firstLSN...(nextFirstLSN - 1), "segment \(name) is unreadable: \(reason)")
                } else {
                    // A segment created just before a crash, its header never synced.
                    tornTail = (name, 0, bytes.count)
                }
                return
            }
            header = damagedHeader(name, firstLSN: firstLSN, reason: reason, sealer: sealer)
            headerVerifies = false
        }
        readRecords(
            bytes, header: header, from: max(firstLSN, expectedFirst ?? firstLSN), segment: &segment, isLast: nextFirstLSN == nil,
            sealer: sealer, limits: limits)
        // A verified header names the segment's first number itself: that name stays.
        if isNamedAmongEarlierNumbers, !headerVerifies, let expectedFirst, let last = segment.lastLSN, last >= expectedFirst {
            segment.ownNumbersFrom = expectedFirst
        }
    }

    /// Renames each segment that only its name places among earlier numbers, and that holds
    /// numbers of its own, for the number it was read from (see `renamedSegments`); last of
    /// all, so every other pass reads the names as found. The segments kept stay in order:
    /// a copy between it and the next one kept is removed first, and its name may be taken.
    private mutating func renameSegmentsPlacedByNameAlone() {
        var nextFirstLSN: UInt64?
        for index in segments.indices.reversed() {
            if let first = segments[index].ownNumbersFrom, nextFirstLSN.map({ first < $0 }) ?? true {
                let name = segments[index].name
                let newName = SegmentHeader.fileName(firstLSN: first)
                renamedSegments.append((name, newName))
                problems.append("segment \(name) is named among earlier segments' numbers and holds its own from \(first); renamed \(newName)")
                segments[index].name = newName
                segments[index].firstLSN = first
            }
            nextFirstLSN = segments[index].firstLSN
        }
    }

    /// Stands in for a segment header that does not verify. Its records frame themselves
    /// (each header has its own checksum and names its record and cell), and the file's name
    /// gives the first record's number; only the salt is lost. Unsealed records read as
    /// well as ever; sealed ones no longer open, and each damages only the cell it names.
    private mutating func damagedHeader(_ name: String, firstLSN: UInt64, reason: String, sealer: Sealer) -> SegmentHeader {
        let consequence = sealer.isSealing
            ? "its records' salt is lost, so each sealed record damages the cell it names"
            : "its records are read with the first record number its name gives"
        problems.append("segment \(name): \(reason); \(consequence)")
        return SegmentHeader(firstLSN: firstLSN, salt: 0, sealer: sealer)
    }

    /// Reads a segment's frames in order, expecting record `first` first. A damaged stretch
    /// is stepped over to the next intact frame, whose numbers say what was lost; only a bad
    /// stretch at the end of the newest segment with no intact frame after it is a torn write
    /// (see `CommitMarker`).
    private mutating func readRecords(
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

    private mutating func damage(_ cell: CellID, at lsn: UInt64, _ reason: String) {
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
    private mutating func passTheLastSegment() {
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

    private mutating func unreadable(_ range: ClosedRange<UInt64>, _ reason: String) {
        problems.append(reason)
        unreadableRanges.append(range)
    }

    /// Snapshots cover records up to their LSN, so the log held every record up to the
    /// highest one: those after the last segment's are missing (a lost last segment).
    private mutating func markRecordsMissingAtTheEnd() {
        let logged = segments.last.map { $0.lastLSN ?? ($0.firstLSN - 1) } ?? 0
        let covered = cells.values.map(\.snapshotCoveredLSN).max() ?? 0
        guard covered > logged, unreadableRanges.allSatisfy({ $0.upperBound < UInt64.max }) else { return }
        unreadable((logged + 1)...covered, "log records \(logged + 1)–\(covered) are missing: snapshots cover them, no segment holds them")
    }

    /// A stretch of log that could not be read may have held records of any cell: every
    /// cell whose snapshot does not cover it is damaged.
    private mutating func markCellsTouchedByUnreadableRanges() {
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
