import ColonyCore
import NIOCore

/// Why a watch ended on this node, as the watcher is told.
enum WatchEnd: Error, Hashable, Sendable {
    /// The node hosts no replica of the cell.
    case cellNotFound
    /// The cell was deleted.
    case cellDeleted(CellTombstone)
    /// The replica here is still fetching the cell's state.
    case catchingUp
    /// The replica here is no longer a member; these are the cell's members.
    case notMember(CellConfiguration)
    /// The watch's first changes are no longer kept here; every change after `heldAfter` is.
    case compacted(heldAfter: Revision)
    /// The watcher fell behind and the changes it needed next were dropped.
    case slowConsumer(heldAfter: Revision)
    /// The node is stopping.
    case stopping
    /// The node serves its limit of watches already.
    case tooManyWatches(max: Int)
    /// The node serves its limit of watches for this client already.
    case tooManyWatchesOfClient(client: String, max: Int)
}

/// One watcher's request for its next changes, parked on the node's loop while the cell has
/// nothing new. The batch it gets is the watcher's whole buffer on the node: the next pull
/// comes only after the watcher has written this one out.
struct WatchPull {
    /// The cell watched.
    var cell: CellID
    /// The last revision the watcher has seen.
    var after: Revision
    /// The most changes to hand out at once.
    var limit: Int
    /// Whether the watcher was served before: a gap in the feed is then its own slowness.
    var isResumed: Bool
    /// Where the answer goes.
    var promise: EventLoopPromise<[CellChange]>
}

/// What the node answers a pull with right now.
enum WatchAnswer: Hashable {
    /// These changes, in revision order.
    case changes([CellChange])
    /// Nothing new yet: park the pull until the cell changes.
    case wait
    /// The watch is over.
    case end(WatchEnd)

    /// The answer to a pull of `cell`'s changes after `after` (at most `limit`) from what
    /// `host` holds; `isResumed` when the watch was served before, `isClosed` when the node
    /// is stopping.
    ///
    /// A watch is served only by a member that has the cell's state. When the replica's feed
    /// no longer holds the change right after the watcher's revision, a new watch is told
    /// `compacted` and a watch that was served before `slowConsumer`: it fell behind while
    /// the cell moved on.
    init(cell: CellID, after: Revision, limit: Int, isResumed: Bool, host: ReplicaHost, isClosed: Bool) {
        if isClosed {
            self = .end(.stopping)
            return
        }
        if let tombstone = host.tombstone(cell) {
            self = .end(.cellDeleted(tombstone))
            return
        }
        guard let configuration = host.replica(cell)?.configuration else {
            self = .end(host.replica(cell) == nil ? .cellNotFound : .catchingUp)
            return
        }
        guard configuration.contains(host.node) else {
            self = .end(.notMember(configuration))
            return
        }
        switch host.changes(of: cell, after: after, limit: limit) {
        case .changes(let changes)?:
            self = .changes(changes)
        case .upToDate?:
            self = .wait
        case .compacted(let heldAfter)?:
            self = .end(isResumed ? .slowConsumer(heldAfter: heldAfter) : .compacted(heldAfter: heldAfter))
        case nil:
            self = .end(.cellNotFound)
        }
    }
}

/// The pulls parked on a node's loop, by cell, and the count of open watches, in all and by
/// client; confined to the driver's loop like the driver itself.
struct WatchBoard {
    /// The most watches the node serves at once.
    let watchesMax: Int
    /// The most watches the node serves at once for one client.
    let perClientMax: Int
    /// Open watches (each a gRPC stream), parked or not.
    private(set) var openCount = 0
    /// Open watches by client.
    private var openByClient: [String: Int] = [:]
    /// Whether the node stopped serving watches (it is stopping).
    private(set) var isClosed = false
    private var parked: [CellID: [WatchPull]] = [:]

    init(watchesMax: Int, perClientMax: Int) {
        self.watchesMax = watchesMax
        self.perClientMax = perClientMax
    }

    /// Counts in a new watch of `client`; or says why not: the node is stopping, serves its
    /// limit of watches, or serves the client's limit.
    mutating func open(client: String) -> WatchEnd? {
        if isClosed { return .stopping }
        guard openCount < watchesMax else { return .tooManyWatches(max: watchesMax) }
        let ofClient = openByClient[client] ?? 0
        guard ofClient < perClientMax else { return .tooManyWatchesOfClient(client: client, max: perClientMax) }
        openCount += 1
        openByClient[client] = ofClient + 1
        return nil
    }

    /// Counts a watch of `client` out.
    mutating func close(client: String) {
        let ofClient = openByClient[client] ?? 0
        precondition(openCount > 0 && ofClient > 0, "Invalid state: more watches closed than opened")
        openCount -= 1
        openByClient[client] = ofClient == 1 ? nil : ofClient - 1
    }

    /// Watches open for `client`.
    func openCount(of client: String) -> Int {
        openByClient[client] ?? 0
    }

    /// Parks a pull until its cell changes.
    mutating func park(_ pull: WatchPull) {
        parked[pull.cell, default: []].append(pull)
    }

    /// Whether any pull waits on `cell`.
    func hasParked(_ cell: CellID) -> Bool {
        parked[cell] != nil
    }

    /// Takes every pull parked on `cell`, to be answered again.
    mutating func unpark(_ cell: CellID) -> [WatchPull] {
        parked.removeValue(forKey: cell) ?? []
    }

    /// Takes the parked pull whose answer goes to `future` (its watcher went away), if parked.
    mutating func unpark(answering future: EventLoopFuture<[CellChange]>, cell: CellID) -> WatchPull? {
        guard let index = parked[cell]?.firstIndex(where: { $0.promise.futureResult === future }) else { return nil }
        let pull = parked[cell]?.remove(at: index)
        if parked[cell]?.isEmpty ?? false { parked[cell] = nil }
        return pull
    }

    /// Refuses new watches from now on and takes every parked pull.
    mutating func closeAll() -> [WatchPull] {
        isClosed = true
        let all = parked.keys.sorted().flatMap { parked[$0] ?? [] }
        parked = [:]
        return all
    }
}
