import ColonyClient
import ColonyControl
import ColonyCore
import Logging

/// Reads the node records from the directory every `interval`, and soon after a peer says
/// hello under an id the book does not know (`PeerAddresses.wantRefresh()`), but never more
/// than once per `gapMin`, however often it is asked: a flood of unknown peers costs this
/// node one directory read per `gapMin`. It reads through a client that presents this
/// node's certificate (nodes may read the reserved cells).
///
/// What it reads goes into the book (`PeerBook.adopt`) and, when it changed, into the book's
/// file (`PeerBookFile`); `changed` is told the peers that became reachable and those that
/// no longer are. A read that fails leaves the book as it was: the node keeps dialling the
/// peers it knows while the directory is unreachable, and says so once per outage.
struct PeerBookRefresher: Sendable {
    let addresses: PeerAddresses
    let client: ColonyClient
    let file: PeerBookFile
    let interval: Duration
    let gapMin: Duration
    let changed: @Sendable (_ added: [NodeID], _ removed: [NodeID]) -> Void
    let metrics: NodeMetrics
    /// Testing only: read as often as asked, however little time passed since the last read.
    let readsUnbounded: Bool
    let logger: Logger

    /// Reads and adopts until the task is cancelled.
    func run() async {
        let addresses = addresses
        let interval = interval
        let period = Task {
            while !Task.isCancelled {
                addresses.wantRefresh()
                try? await Task.sleep(for: interval)
            }
        }
        var failing = false
        for await _ in addresses.refreshes {
            let started = ContinuousClock.now
            failing = await refresh(failing: failing)
            metrics.peerBookRead(succeeded: !failing, peers: addresses.current.peers.count)
            if !readsUnbounded { try? await Task.sleep(until: started + gapMin) }
            if Task.isCancelled { break }
        }
        period.cancel()
        await client.close()
    }

    /// Reads the directory's node records once and adopts them; returns whether the read
    /// failed (`failing` says whether the one before did).
    private func refresh(failing: Bool) async -> Bool {
        let records: [NodeRecord]
        do {
            let listing = try await client.list(ColonyDirectory.cell, prefix: ColonyDirectory.nodePrefix, limit: PeerBook.recordsMax + 1)
            records = try DirectorySnapshot(listing: listing.items.map { ($0.key, $0.value) }).nodes
        } catch ColonyError.cellNotFound {
            // A colony without a directory yet: the seed is the whole book.
            return false
        } catch {
            if !failing {
                logger.warning("cannot read the node records from the directory (\(error)); dialling the \(addresses.current.peers.count) peers known until it answers")
            }
            return true
        }
        if failing { logger.notice("the directory answers again; reading the node records from it") }
        let before = addresses.current.recorded
        do {
            let (added, removed) = try addresses.adopt(records)
            if !added.isEmpty || !removed.isEmpty {
                logger.notice("peer book: \(added.isEmpty ? "" : "learned nodes \(added) ")\(removed.isEmpty ? "" : "dropped nodes \(removed) (gone)")")
                changed(added, removed)
            }
        } catch {
            logger.error("refusing the directory's node records: \(error)")
            return true
        }
        guard before != addresses.current.recorded else { return false }
        do {
            try file.save(addresses.current.recorded)
        } catch {
            logger.error("cannot keep the peer book on disk: \(error); a restart knows only the peers of the older copy until the directory answers")
        }
        return false
    }
}
