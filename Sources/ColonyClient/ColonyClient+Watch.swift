import ColonyAPI
import GRPCCore
import Synchronization

extension ColonyClient {
    /// Streams the changes of `cell` after revision `after` (0: from its first change) to keys
    /// starting with `prefix`, in revision order, until the caller stops iterating.
    ///
    /// Any member of the cell may serve the watch. When the serving node goes away (it stops,
    /// crashes, or the connection breaks), the watch reconnects to another member and resumes
    /// after the last change it delivered, so no change is missed and none is repeated. A
    /// member that no longer keeps those changes answers `compacted`; the watch then tries the
    /// others and ends with `ColonyError.compacted` only when none keeps them. To watch
    /// without a gap from the current state: `list` the keys, then watch from the list's
    /// revision.
    public nonisolated func watch(_ cell: String, prefix: String = "", after: UInt64 = 0) -> ColonyWatch {
        let channel = ChangeChannel(capacity: max(policy.watchBufferChangesMax, 1))
        let task = Task { await self.runWatch(cell: cell, prefix: prefix, after: after, into: channel) }
        return ColonyWatch(handle: WatchHandle(channel: channel, task: task))
    }

    /// The watch's reconnection loop: one stream at a time, each from the last revision delivered.
    private func runWatch(cell: String, prefix: String, after: UInt64, into channel: ChangeChannel) async {
        let cursor = WatchCursor(after)
        var refusals: [String: Colony_V1_Error] = [:]
        var attempt = 0
        var target: String?
        while !Task.isCancelled {
            if attempt > 0 {
                try? await backOff(attempt)
            }
            attempt += 1
            let candidates = await watchTargets(cell)
            guard let next = nextWatchTarget(candidates, after: target, refused: refusals) else {
                channel.finish(throwing: Self.watchFailure(refusals))
                return
            }
            target = next
            let delivered = cursor.revision
            let end: Colony_V1_Error?
            do {
                end = try await stream(cell: cell, prefix: prefix, from: next, cursor: cursor, into: channel)
            } catch is CancellationError {
                break
            } catch {
                // The connection broke (the node stopped or crashed): go on at another member.
                continue
            }
            if cursor.revision != delivered {
                refusals = [:]
                attempt = 1
            }
            guard let end else { continue }
            switch end.code {
            case .cellNotFound where end.cellDeleted:
                channel.finish(throwing: ColonyError.cellDeleted(end.message))
                return
            case .cellNotFound, .compacted:
                refusals[next] = end
            case .unavailable, .notLeader, .staleEpoch:
                learn(cell, end.configuration, hasConfiguration: end.hasConfiguration)
            case .slowConsumer:
                attempt = 0
            default:
                channel.finish(throwing: ColonyError(end))
                return
            }
        }
        channel.finish(throwing: nil)
    }

    /// One stream from `target`: changes go to the channel as they come and move the cursor.
    /// Returns the error the node ended it with (the one its gRPC status carries), or nil if
    /// it ended without one.
    private func stream(
        cell: String, prefix: String, from target: String, cursor: WatchCursor, into channel: ChangeChannel
    ) async throws -> Colony_V1_Error? {
        var request = Colony_V1_WatchRequest()
        request.cell = cell
        request.prefix = prefix
        request.afterRevision = cursor.revision
        let client = try connection(target).client
        do {
            try await client.watch(request) { response in
                for try await event in response.messages {
                    // A change at or before the cursor was delivered already: never repeat one.
                    guard event.revision > cursor.revision else { continue }
                    guard await channel.send(ColonyChange(event)) else { throw CancellationError() }
                    cursor.revision = event.revision
                }
            }
            return nil
        } catch let status as RPCError {
            guard let error = Colony_V1_Error(carriedBy: status) else { throw status }
            return error
        }
    }

    /// Where a watch of `cell` may be served: its members, as far as this client knows
    /// (learned from the cell when unknown), then the seed nodes.
    private func watchTargets(_ cell: String) async -> [String] {
        if views[cell]?.members.isEmpty ?? true, let summary = try? await cellInfo(cell) {
            if views[cell] == nil { views[cell] = CellView() }
            learn(cell, summary.configuration, hasConfiguration: summary.hasConfiguration)
        }
        var seen: Set<String> = []
        return ((views[cell]?.members ?? []) + seeds).filter { seen.insert($0).inserted }
    }

    /// The next node to watch from after `current`, skipping those that refused the watch
    /// since the last change delivered; nil when every one did.
    private nonisolated func nextWatchTarget(_ candidates: [String], after current: String?, refused: [String: Colony_V1_Error]) -> String? {
        let open = candidates.filter { refused[$0] == nil }
        guard !open.isEmpty else { return nil }
        guard let current, let index = open.firstIndex(of: current) else { return open[0] }
        return open[(index + 1) % open.count]
    }

    /// Why a watch gave up when every node refused it: compacted if any member holds the
    /// cell but not the changes, else not found.
    private static func watchFailure(_ refusals: [String: Colony_V1_Error]) -> ColonyError {
        let compacted = refusals.values.filter { $0.code == .compacted }
        if let newest = compacted.max(by: { $0.compactedThrough < $1.compactedThrough }) {
            return .compacted(through: newest.compactedThrough, newest.message)
        }
        return .cellNotFound(refusals.values.first?.message ?? "no node hosts the cell")
    }
}

/// The last revision a watch delivered, shared by its reconnection loop and its streams.
final class WatchCursor: Sendable {
    private let value: Mutex<UInt64>

    init(_ revision: UInt64) {
        value = Mutex(revision)
    }

    var revision: UInt64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
