/// A replica's memory of its cell's recent changes, for watchers: a bounded window of the
/// latest changes it applied, in revision order.
///
/// The feed is derived from the commands the replica applies, so every replica holds the
/// same change for the same revision; which revisions it still holds depends on the replica
/// (a replica that installed a snapshot, or restarted, starts its window there). It is
/// memory only: neither the replicated state nor snapshots carry it.
///
/// A watcher asks for the changes after the last revision it saw. If the feed no longer
/// holds the next one, the answer is `compacted`, naming the revision the window starts
/// after: the watcher re-reads the keys and watches from that read's revision.
///
/// The bounds come with each change appended (a replica passes its options'), so an idle
/// replica's feed costs five words and no allocation.
public struct ChangeFeed: Sendable {
    /// Every change after this revision, through `latest`, is held.
    public private(set) var heldAfter: Revision
    /// The revision of the latest change applied (the cell's revision here).
    public private(set) var latest: Revision
    /// The held changes in a ring: the oldest at `start`, `count` of them.
    private var ring: [CellChange] = []
    private var start = 0
    private var byteCount = 0

    /// An empty feed of a cell at `revision`: it holds the changes applied from now on.
    public init(at revision: Revision) {
        heldAfter = revision
        latest = revision
    }

    /// How many changes are held.
    public var count: Int { Int(latest - heldAfter) }

    /// Adds the change the cell just applied, which must be the one after `latest`, and
    /// forgets the oldest changes beyond `changesKeptMax` changes or `bytesKeptMax` bytes of
    /// keys and values (the newest change is kept whatever its size).
    public mutating func append(_ change: CellChange, changesKeptMax: Int, bytesKeptMax: Int) {
        precondition(change.revision == latest + 1, "change \(change.revision) applied after revision \(latest)")
        precondition(changesKeptMax >= 1, "a feed must be able to hold one change")
        let size = change.byteCount
        while count > 0, count >= changesKeptMax || byteCount + size > bytesKeptMax {
            dropOldest()
        }
        if count == ring.count {
            // The ring is full: it grows at its end, unrolled first if it wraps (once per
            // wrap: afterwards it starts at 0 until the window's bound frees a place).
            if start != 0 {
                ring = Array(ring[start...] + ring[..<start])
                start = 0
            }
            ring.append(change)
        } else {
            ring[(start + count) % ring.count] = change
        }
        byteCount += size
        latest = change.revision
    }

    /// Forgets everything: the cell jumped to `revision` (a snapshot was installed) and the
    /// changes before it cannot be told apart any more.
    public mutating func reset(at revision: Revision) {
        ring = []
        start = 0
        byteCount = 0
        heldAfter = revision
        latest = revision
    }

    /// Up to `limit` changes after revision `after`, in order.
    public func read(after: Revision, limit: Int) -> ChangeFeedRead {
        if after >= latest { return .upToDate }
        if after < heldAfter { return .compacted(heldAfter: heldAfter) }
        let first = Int(after - heldAfter)
        let end = min(count, first + max(limit, 1))
        return .changes((first..<end).map { ring[(start + $0) % ring.count] })
    }

    private mutating func dropOldest() {
        byteCount -= ring[start].byteCount
        ring[start] = CellChange(revision: 0, keys: [])
        start = (start + 1) % ring.count
        heldAfter += 1
    }
}

/// What a feed holds after a watcher's revision.
public enum ChangeFeedRead: Hashable, Sendable {
    /// The next changes, in revision order, the first right after the revision asked.
    case changes([CellChange])
    /// Nothing after the revision asked yet (or this replica has not applied that far).
    case upToDate
    /// Changes right after the revision asked are no longer held; every change after
    /// `heldAfter` is.
    case compacted(heldAfter: Revision)
}
