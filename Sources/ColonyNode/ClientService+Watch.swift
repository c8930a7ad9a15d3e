import ColonyAPI
import ColonyAuth
import ColonyCore
import GRPCCore

/// The watch call: a stream of one cell's changes from this node's replica. A watch that
/// cannot go on ends with the gRPC status of its error, the error in the trailing metadata
/// (`Colony_V1_Error.status`): NOT_FOUND, OUT_OF_RANGE for changes no longer kept,
/// RESOURCE_EXHAUSTED for a watcher that fell behind, UNAVAILABLE to watch elsewhere, ….
extension ClientService {
    func watch(
        request: Colony_V1_WatchRequest, response: RPCWriter<Colony_V1_WatchEvent>, context: ServerContext
    ) async throws {
        let cell: CellID
        switch APIMapping.cell(request.cell) {
        case .success(let valid): cell = valid
        case .failure(let error): throw error.status
        }
        guard request.prefix.utf8.count <= CellLimits.ceiling.keyBytesMax else {
            throw APIMapping.invalid(
                "the prefix is \(request.prefix.utf8.count) bytes; no key is longer than \(CellLimits.ceiling.keyBytesMax)").status
        }
        let caller = Authorizer.identity(of: context)
        let callName = Authorizer.callName()
        let keys: KeyScope = request.prefix.isEmpty ? .every : .prefix(request.prefix)
        try authorizer.check(caller, .read(cell: cell.name, keys: keys), rpc: "Watch", request: callName)
        let driver = driver
        let client = ClientIdentity.key(of: context)
        if let refused = try await driver.loop.submit({ driver.openWatch(client: client) }).get() {
            throw error(for: refused, cell: cell, after: request.afterRevision).status
        }
        defer { driver.loop.execute { driver.closeWatch(client: client) } }
        let prefix = Key(request.prefix)
        var cursor = request.afterRevision
        var isResumed = false
        while true {
            let changes: [CellChange]
            do {
                changes = try await driver.nextChanges(of: cell, after: cursor, limit: watchBatchChangesMax, isResumed: isResumed)
            } catch let watchEnd as WatchEnd {
                throw error(for: watchEnd, cell: cell, after: cursor).status
            }
            // A watch outlives many policies: one that no longer allows it ends it (a revoked
            // identity, a grant taken away).
            try authorizer.check(caller, .read(cell: cell.name, keys: keys), rpc: "Watch", request: callName)
            for change in changes {
                if let matching = change.filtered(prefix: prefix) {
                    try await response.write(Colony_V1_WatchEvent(matching))
                }
            }
            cursor = changes.last?.revision ?? cursor
            isResumed = true
        }
    }

    /// What the watcher is told when its watch of `cell`, at revision `after`, ends here.
    private func error(for end: WatchEnd, cell: CellID, after: Revision) -> Colony_V1_Error {
        switch end {
        case .cellNotFound:
            return APIMapping.error(.cellNotFound, "node \(config.node) hosts no replica of cell \(cell.name); watch from one of its members")
        case .cellDeleted(let tombstone):
            return APIMapping.deleted(cell, revision: tombstone.revision)
        case .catchingUp:
            var unavailable = APIMapping.error(
                .unavailable, "node \(config.node) is still fetching cell \(cell.name); watch from another member or retry")
            unavailable.retryAfterMs = 100
            return unavailable
        case .notMember(let configuration):
            var moved = APIMapping.error(
                .unavailable, "node \(config.node) is no longer a member of cell \(cell.name); watch from one of its members")
            moved.configuration = Colony_V1_CellConfiguration(configuration, address: address)
            return moved
        case .compacted(let heldAfter):
            var compacted = APIMapping.error(
                .compacted,
                "node \(config.node) keeps the changes of cell \(cell.name) after revision \(heldAfter) only, not after \(after); list the keys and watch from the list's revision")
            compacted.compactedThrough = heldAfter
            return compacted
        case .slowConsumer(let heldAfter):
            var slow = APIMapping.error(
                .slowConsumer,
                "the watch of cell \(cell.name) fell behind: node \(config.node) dropped the changes after revision \(after) it still had to send (it keeps those after \(heldAfter)); watch again from revision \(after), or list the keys and watch from the list's revision")
            slow.compactedThrough = heldAfter
            return slow
        case .stopping:
            var stopping = APIMapping.error(.unavailable, "node \(config.node) is stopping; watch again from another member")
            stopping.retryAfterMs = 0
            return stopping
        case .tooManyWatches(let max):
            var busy = APIMapping.error(.unavailable, "node \(config.node) serves its limit of \(max) watches; watch from another member")
            busy.retryAfterMs = 1_000
            return busy
        case .tooManyWatchesOfClient(let client, let max):
            var busy = APIMapping.error(
                .unavailable,
                "node \(config.node) serves its limit of \(max) watches for one client, and \(client) has that many open here; end one, or watch from another member")
            busy.retryAfterMs = 1_000
            return busy
        }
    }
}
