import ColonyAPI
import GRPCCore

/// The calls that make, delete and describe cells.
extension ColonyClient {
    /// A new cell's quotas; nil leaves a figure at the colony's default.
    public struct Quota: Hashable, Sendable {
        /// The most keys.
        public var keysMax: UInt64?
        /// The most bytes of keys and values together.
        public var bytesMax: UInt64?
        /// The largest value, in bytes.
        public var valueBytesMax: UInt64?

        /// Makes a quota.
        public init(keysMax: UInt64? = nil, bytesMax: UInt64? = nil, valueBytesMax: UInt64? = nil) {
            self.keysMax = keysMax
            self.bytesMax = bytesMax
            self.valueBytesMax = valueBytesMax
        }
    }

    /// Creates a cell whose members are `nodes` (an odd number of node ids, 3 to 9), within
    /// `quota`. The creation is decided by one of the members, which refuses the name of a
    /// cell that was deleted.
    public func createCell(_ cell: String, nodes: [UInt32], quota: Quota? = nil) async throws -> Colony_V1_CellConfiguration {
        let request = Self.creationRequest(NewCell(name: cell, nodes: nodes, quota: quota))
        var targets = seeds
        for _ in 0..<2 {
            do {
                let reply = try await anyNode(targets: targets) { client, options in try await client.createCell(request, options: options) }
                views[cell] = CellView(members: reply.configuration.members.map(\.address).filter { !$0.isEmpty }, epoch: reply.configuration.epoch)
                return reply.configuration
            } catch let redirect as Redirect {
                targets = redirect.members
            }
        }
        throw ColonyError.unavailable("no member of the new cell \(cell) answered the creation")
    }

    /// Deletes `cell` through its own log; returns whether it was deleted already. Every
    /// later operation on it fails with `cellDeleted`, and its name is not reused.
    @discardableResult
    public func deleteCell(_ cell: String) async throws -> Bool {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_DeleteCellRequest()
            request.header = header
            return .deleteCell(request)
        } reply: {
            if case .deleteCell(let reply) = $0 { reply } else { nil }
        }.alreadyDeleted
    }

    /// Restores one part of a backup of `cell` (see `Colony_V1_RestoreRequest`): `items` in
    /// ascending key order, each at the version it had when the backup read the cell at
    /// `revision`; `first` for the restore's first part, which must find the cell never
    /// written. Returns the cell's revision afterwards. Throws `conditionFailed` when the cell
    /// took another write, and what the cell refused otherwise.
    @discardableResult
    public func restore(_ cell: String, revision: UInt64, items: [Colony_V1_KeyValue], first: Bool) async throws -> UInt64 {
        try await run(cell, isWrite: true) { header in
            var request = Colony_V1_RestoreRequest()
            request.header = header
            request.revision = revision
            request.first = first
            request.items = items
            return .restore(request)
        } reply: {
            if case .restore(let reply) = $0 { reply } else { nil }
        }.revision
    }

    /// A cell as its leader knows it, or, when no answering node knows the leader, as the
    /// answering replica of the newest epoch knows it.
    ///
    /// A replica removed from the cell, or one that has not heard from the cell for a while,
    /// may describe an old configuration; so the answer of a node that names a leader other
    /// than itself is followed to that leader, and a node that names none to the members it
    /// lists, each node asked at most once.
    public func cellInfo(_ cell: String) async throws -> Colony_V1_CellSummary {
        var made = Colony_V1_CellInfoRequest()
        made.cell = cell
        let request = made
        var queue = (views[cell]?.members ?? []) + seeds
        var asked: Set<String> = []
        var best: Colony_V1_CellSummary?
        var lastError: Error?
        while let target = queue.first(where: { !asked.contains($0) }) {
            asked.insert(target)
            let summary: Colony_V1_CellSummary
            do {
                summary = try await anyNode(targets: [target]) { client, options in try await client.cellInfo(request, options: options) }.cell
            } catch {
                lastError = error
                continue
            }
            let members = summary.configuration.members
            if summary.leader != 0, let leader = members.first(where: { $0.node == summary.leader }), !leader.address.isEmpty {
                if leader.address == target { return summary }
                queue.insert(leader.address, at: 0)
            } else {
                queue.append(contentsOf: members.map(\.address).filter { !$0.isEmpty })
            }
            if summary.configuration.epoch >= best?.configuration.epoch ?? 0 { best = summary }
        }
        if let best { return best }
        throw lastError ?? ColonyError.unavailable("no node to ask about cell \(cell)")
    }

    /// The cells hosted by the first node that answers.
    public func listCells() async throws -> [Colony_V1_CellSummary] {
        try await anyNode { client, options in try await client.listCells(Colony_V1_ListCellsRequest(), options: options) }.cells
    }
}
