import ColonyCore
import ColonyWire

/// One write-ahead log for every replica a node hosts.
///
/// Records of all cells interleave in one sequence, numbered by log sequence number (LSN),
/// in segment files of bounded size. Appending only encodes into memory; a *flush* writes
/// everything appended since the last one, closed by a `CommitMarker`, and fsyncs it once:
/// that is group commit, one fsync for every cell that wrote in between. A flush is two steps, `beginFlush` (write)
/// and `completeFlush` (fsync), so a driver can let appends continue while the fsync runs,
/// and so the simulator can crash a node between them.
///
/// When the log holds more than `Options.segmentsMax` segments, the oldest is freed: each
/// cell that still has records there gets its whole durable state written to a snapshot
/// file of its own, and then the segment is deleted.
///
/// Not thread-safe: its owner serializes calls (the node's storage thread, or the
/// simulator's single thread).
public final class WriteAheadLog {
    /// Sizes and limits.
    public struct Options: Sendable {
        /// A segment is closed once it reaches this size (a flush is never split).
        public var segmentBytesMax = 64 * 1024 * 1024
        /// Segments kept before the oldest is freed by snapshots.
        public var segmentsMax = 4
        /// The most snapshot files written per flush while freeing a segment, so a big
        /// checkpoint does not stall commits.
        public var snapshotsPerFlushMax = 256
        /// The key that seals records and snapshots, if any.
        public var key: StorageKey?
        /// Decoding limits for stored values.
        public var limits = WireLimits()
        /// The format levels recovery reads; a segment or snapshot of another stops it.
        public var formatsRead = FormatLevel.standardRead
        /// The format level new segments and snapshots are written in; the node raises it
        /// when its colony's directory does.
        public var formatWritten = WrittenFormat()
        /// Deliberately broken recovery, for tests that show the simulator notices.
        @_spi(Testing) public var defects: Set<StorageDefect> = []

        /// Makes the default options.
        public init() {}
    }

    struct CellLog {
        var state = DurableCellState()
        var snapshotCoveredLSN: UInt64 = 0
        var firstLiveLSN: UInt64?
        var lastLSN: UInt64 = 0
    }

    struct SegmentInfo {
        var name: String
        var header: SegmentHeader
        var lastLSN: UInt64?
        var bytes: Int
    }

    let disk: Disk
    let options: Options
    let sealer: Sealer
    private var random: SplitMix64
    private var segments: [SegmentInfo] = []
    private(set) var cells: [CellID: CellLog] = [:]
    private var pending: [UInt8] = []
    private var pendingFirstLSN: UInt64 = 0
    private var pendingLastLSN: UInt64 = 0
    private var nextLSN: UInt64
    private var flushInFlight: (lastLSN: UInt64, segment: String, createdSegment: Bool)?
    /// The cells found pinning the oldest segment, listed once for that segment and
    /// snapshotted a bounded number per flush (see `freeOldSegments`), and how far that went.
    private var pinning: (segment: String, cells: [CellID], next: Int)?
    /// Every record up to this LSN is durable.
    public private(set) var durableLSN: UInt64
    /// Counters since the log was opened.
    public private(set) var statistics = Statistics()

    /// What the log has done since it was opened.
    public struct Statistics: Sendable {
        /// Records appended.
        public var records = 0
        /// Flushes completed (each one fsync of the log).
        public var flushes = 0
        /// Bytes written to segments.
        public var bytesWritten = 0
        /// Snapshot files written.
        public var snapshotsWritten = 0
        /// Segments deleted.
        public var segmentsDeleted = 0
    }

    /// Opens the log in `disk`, recovering whatever is there, and returns it with what each
    /// hosted cell made durable. `seed` draws the segments' nonce salts (the simulator
    /// passes a seeded value; a real node a random one).
    public static func open(disk: Disk, options: Options, seed: UInt64) throws(StorageError) -> (WriteAheadLog, Recovery) {
        let sealer = Sealer(key: options.key)
        let scan = try LogScan.scan(disk, sealer: sealer, limits: options.limits, read: options.formatsRead, defects: options.defects)
        let log = WriteAheadLog(disk: disk, options: options, sealer: sealer, seed: seed, lastLSN: scan.lastLSN)
        do {
            try log.adopt(scan)
        } catch {
            throw .disk(error)
        }
        let recovery = Recovery(scan: scan)
        return (log, recovery)
    }

    private init(disk: Disk, options: Options, sealer: Sealer, seed: UInt64, lastLSN: UInt64) {
        self.disk = disk
        self.options = options
        self.sealer = sealer
        self.random = SplitMix64(seed: seed)
        self.nextLSN = lastLSN + 1
        self.durableLSN = lastLSN
    }

    /// Takes over what recovery found: cuts a torn tail, removes leftovers and copies, renames
    /// segments named among earlier numbers, and starts a fresh segment (so no nonce is ever
    /// used twice, even for records a crash took back). Each change leaves files the next
    /// start reads as this one did, so a crash after any of them, with or without the others
    /// made durable, leaves nothing to undo; and nothing is freed before they all are.
    private func adopt(_ scan: LogScan) throws(DiskError) {
        if let torn = scan.tornTail {
            if torn.offset == 0 {
                try disk.remove(torn.segment)
            } else {
                try disk.truncate(torn.segment, to: torn.offset)
                try disk.sync(torn.segment)
            }
        }
        for leftover in scan.leftovers + scan.redundantSegments {
            try disk.remove(leftover)
        }
        for (name, newName) in scan.renamedSegments {
            // Each made durable before the next, which may take the name it left.
            try disk.rename(name, to: newName)
            try disk.syncDirectory()
        }
        for segment in scan.segments where !(scan.tornTail?.offset == 0 && scan.tornTail?.segment == segment.name) {
            // Only its first number is read again: a recovered segment is never written to.
            let header = SegmentHeader(firstLSN: segment.firstLSN, salt: 0, sealer: sealer, level: .first)
            segments.append(SegmentInfo(name: segment.name, header: header, lastLSN: segment.lastLSN, bytes: segment.bytes))
        }
        for (cell, recovery) in scan.cells where scan.damaged[cell] == nil {
            cells[cell] = CellLog(
                state: recovery.state, snapshotCoveredLSN: recovery.snapshotCoveredLSN,
                firstLiveLSN: recovery.firstLiveLSN, lastLSN: recovery.lastLSN)
        }
        try disk.syncDirectory()
    }

    /// Appends a record of `cell`; it is durable once `durableLSN` reaches the returned LSN.
    @discardableResult
    public func append(_ record: DurableRecord, cell: CellID) -> UInt64 {
        let lsn = nextLSN
        nextLSN += 1
        if pending.isEmpty {
            pendingFirstLSN = lsn
            if needsNewSegment {
                // A batch never spans segments, so a new one starts between batches; its salt
                // must be known now, to seal the records that will land in it.
                startSegment(firstLSN: lsn)
            }
        }
        guard let header = segments.last?.header else { preconditionFailure("Invalid state: appending with no segment") }
        let nonce = SegmentHeader.nonce(salt: header.salt, index: UInt32(truncatingIfNeeded: lsn - header.firstLSN))
        let payload = sealer.seal(WireCodec.encode(record), nonce: nonce, context: RecordFrame.context(lsn: lsn, cell: cell))
        pending.append(contentsOf: RecordFrame.encode(lsn: lsn, cell: cell, payload: payload))
        pendingLastLSN = lsn
        // Changed in place: a copy taken out of the dictionary would copy the cell's entries.
        cells[cell, default: CellLog()].state.apply(record)
        if cells[cell]?.firstLiveLSN == nil {
            cells[cell]?.firstLiveLSN = lsn
        }
        cells[cell]?.lastLSN = lsn
        statistics.records += 1
        return lsn
    }

    /// The durable state of each cell the log knows, as recovery would rebuild it.
    public var cellStates: [CellID: DurableCellState] {
        cells.mapValues(\.state)
    }

    /// The LSN the next appended record will get.
    public var upcomingLSN: UInt64 { nextLSN }

    /// Whether `name` is the name of a segment file of the log (not a snapshot or any other
    /// file of the data directory): a disk that measures its syncs tells the log's own apart.
    public static func isSegment(named name: String) -> Bool {
        SegmentHeader.firstLSN(ofFileNamed: name) != nil
    }

    /// Whether anything appended is not yet written.
    public var hasPending: Bool { !pending.isEmpty }

    /// Whether a flush has been written and waits for its fsync.
    public var isFlushing: Bool { flushInFlight != nil }

    /// Writes everything appended so far to the current segment, closed by its commit
    /// marker, (without syncing it) and returns the last LSN written, or nil if there was
    /// nothing to write or a flush is already in flight.
    public func beginFlush() throws(DiskError) -> UInt64? {
        guard flushInFlight == nil, !pending.isEmpty, let segment = segments.last else { return nil }
        let createdSegment = segment.bytes == 0
        if createdSegment {
            try disk.append(segment.name, segment.header.bytes)
            segments[segments.count - 1].bytes = SegmentHeader.byteCount
        }
        let marker = CommitMarker(firstLSN: pendingFirstLSN, lastLSN: pendingLastLSN).bytes
        pending.append(contentsOf: marker)
        do {
            try disk.append(segment.name, pending)
        } catch {
            pending.removeLast(marker.count)
            throw error
        }
        segments[segments.count - 1].bytes += pending.count
        segments[segments.count - 1].lastLSN = pendingLastLSN
        statistics.bytesWritten += pending.count
        flushInFlight = (pendingLastLSN, segment.name, createdSegment)
        pending.removeAll(keepingCapacity: true)
        return pendingLastLSN
    }

    /// Syncs what `beginFlush` wrote, makes it durable, and frees old segments if due.
    /// Returns the new durable LSN.
    @discardableResult
    public func completeFlush() throws(DiskError) -> UInt64 {
        guard let flush = flushInFlight else { return durableLSN }
        try disk.sync(flush.segment)
        if flush.createdSegment {
            try disk.syncDirectory()
        }
        flushInFlight = nil
        durableLSN = flush.lastLSN
        statistics.flushes += 1
        try freeOldSegments()
        return durableLSN
    }

    /// Writes and syncs everything appended so far, in one step.
    @discardableResult
    public func flush() throws(DiskError) -> UInt64 {
        if flushInFlight != nil { try completeFlush() }
        guard try beginFlush() != nil else { return durableLSN }
        return try completeFlush()
    }

    // MARK: - Segments

    /// Whether the next batch needs a new segment: the current one is full, or was found at
    /// start-up (new records always go to a segment of this run, so no nonce is reused), or
    /// is of a format level below the one written now (the colony raised it: the records
    /// that follow are in a segment of the new level at once).
    private var needsNewSegment: Bool {
        guard let last = segments.last, createdThisRun.contains(last.name) else { return true }
        return last.bytes >= options.segmentBytesMax || last.header.level < options.formatWritten.level
    }

    private var createdThisRun: Set<String> = []

    private func startSegment(firstLSN: UInt64) {
        let header = SegmentHeader(firstLSN: firstLSN, salt: random.next(), sealer: sealer, level: options.formatWritten.level)
        let name = SegmentHeader.fileName(firstLSN: firstLSN)
        createdThisRun.insert(name)
        segments.append(SegmentInfo(name: name, header: header, lastLSN: nil, bytes: 0))
    }

    /// Frees the oldest segments while there are more than `segmentsMax`: snapshots every
    /// cell that still has records there (a bounded number per call), then deletes it.
    ///
    /// A later segment found named among the oldest's numbers (a damaged file, a copy) holds
    /// numbers that this run's start ignored as repeats; once the oldest is gone, the next
    /// start reads them as that segment's own, and any of them it cannot read would damage
    /// every cell whose snapshot does not cover them. So then every cell whose snapshot
    /// does not cover the oldest segment gets one that does, records there or not.
    ///
    /// The cells pinning a segment are listed once for it, not at every flush: with a million
    /// cells, listing and sorting them all again at each of the thousands of flushes it takes
    /// to snapshot them would cost more than the snapshots. A cell on the list that no longer
    /// pins the segment is skipped, and the segment goes only once a fresh listing finds none.
    private func freeOldSegments() throws(DiskError) {
        var snapshotsLeft = options.snapshotsPerFlushMax
        while segments.count > options.segmentsMax, let oldest = segments.first {
            let oldestLast = oldest.lastLSN ?? oldest.header.firstLSN
            guard oldestLast <= durableLSN else { return }
            let overlapped = segments.dropFirst().contains { $0.header.firstLSN <= oldestLast }
            let pins = { (cell: CellID) -> Bool in
                guard let log = self.cells[cell] else { return false }
                return overlapped ? log.snapshotCoveredLSN < oldestLast : (log.firstLiveLSN ?? UInt64.max) <= oldestLast
            }
            var listed = pinning.flatMap { $0.segment == oldest.name ? $0 : nil }
                ?? (segment: oldest.name, cells: cells.keys.filter(pins).sorted(), next: 0)
            while listed.next < listed.cells.count, snapshotsLeft > 0 {
                let cell = listed.cells[listed.next]
                listed.next += 1
                pinning = listed
                guard pins(cell) else { continue }
                try writeSnapshot(cell)
                snapshotsLeft -= 1
            }
            pinning = listed
            guard listed.next == listed.cells.count else { return }
            let left = cells.keys.filter(pins).sorted()
            guard left.isEmpty else {
                pinning = (segment: oldest.name, cells: left, next: 0)
                if snapshotsLeft == 0 { return }
                continue
            }
            pinning = nil
            try disk.remove(oldest.name)
            try disk.syncDirectory()
            segments.removeFirst()
            statistics.segmentsDeleted += 1
        }
    }

    /// Writes `cell`'s whole durable state to its snapshot file, atomically. It covers the
    /// log as far as it is durable, not only to the cell's last record: the state holds every
    /// record of the cell up to there, so a later start that cannot read some of those numbers
    /// (the segment that held them freed, and a damaged one named among them) knows the cell
    /// lost nothing there.
    private func writeSnapshot(_ cell: CellID) throws(DiskError) {
        guard var log = cells[cell] else { return }
        var nonce: [UInt8] = []
        nonce.appendLittleEndian(random.next())
        nonce.appendLittleEndian(UInt32(truncatingIfNeeded: random.next()))
        let covered = max(log.lastLSN, durableLSN)
        let file = SnapshotFile(cell: cell, coveredLSN: covered, state: log.state)
        try disk.replaceAtomically(SnapshotFile.fileName(for: cell), with: file.encode(sealer: sealer, nonce: nonce, level: options.formatWritten.level))
        log.snapshotCoveredLSN = covered
        log.firstLiveLSN = nil
        cells[cell] = log
        statistics.snapshotsWritten += 1
    }
}
