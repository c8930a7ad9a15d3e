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
    var damagePositions: [CellID: UInt64] = [:]
    /// Where each cell's replica last started over from its peers (its latest `.damaged`
    /// record).
    var restartPositions: [CellID: UInt64] = [:]
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
    /// Testing defects switched on for this scan.
    var defects: Set<StorageDefect> = []
    /// The format levels read; a file of another stops the scan.
    var formatsRead = FormatLevel.standardRead

    /// Reads every file; throws only when the data cannot be opened at all (a wrong key, a
    /// format version outside `read`, a failing disk).
    static func scan(
        _ disk: Disk, sealer: Sealer, limits: WireLimits, read: ClosedRange<FormatLevel> = FormatLevel.standardRead,
        defects: Set<StorageDefect> = []
    ) throws(StorageError) -> LogScan {
        var scan = LogScan()
        scan.defects = defects
        scan.formatsRead = read
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
        switch SnapshotFile.decode(bytes, sealer: sealer, limits: limits, read: formatsRead) {
        case .success(let file) where file.cell == cell:
            cells[cell, default: CellRecovery()].state = file.state
            cells[cell, default: CellRecovery()].snapshotCoveredLSN = file.coveredLSN
            cells[cell, default: CellRecovery()].lastLSN = file.coveredLSN
            lastLSN = max(lastLSN, file.coveredLSN)
        case .success(let file):
            damage(cell, at: UInt64.max, "snapshot file \(name) holds cell \(file.cell)")
        case .failure(.wrongKey):
            throw .wrongKey("snapshot \(name) does not open with the configured key (or was written \(sealer.isSealing ? "without a key" : "with one"))")
        case .failure(.unsupportedVersion(let version)):
            throw .unsupported(
                "snapshot \(name) has format version \(version); this program reads versions 1-\(formatsRead.upperBound.snapshotVersion) \(newerBuild)")
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
        switch SegmentHeader.read(bytes, read: formatsRead) {
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
            throw .unsupported(
                "segment \(name) has format version \(version); this program reads versions \(formatsRead.versions(\.segmentVersion)) \(newerBuild)")
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
        return SegmentHeader(firstLSN: firstLSN, salt: 0, sealer: sealer, level: .first)
    }

    /// What a refusal of a newer format tells the operator.
    private var newerBuild: String {
        "(format levels \(formatsRead.numbers) of this build's; a newer build wrote it after its colony raised the format level: run that build, or a newer one)"
    }
}
