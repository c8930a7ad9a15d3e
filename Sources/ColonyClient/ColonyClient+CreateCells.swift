import ColonyAPI
import GRPCCore

/// Many cells made in few calls (`CreateCells`): each call carries up to `createCellsMax`
/// cells to one node, which writes its replicas of all of them at once and answers each.
extension ColonyClient {
    /// One cell to create: its name, its member nodes (an odd number of node ids, 3 to 9) and
    /// its quota.
    public struct NewCell: Hashable, Sendable {
        /// The cell's name.
        public var name: String
        /// The member nodes.
        public var nodes: [UInt32]
        /// The cell's quota (nil: the colony's defaults).
        public var quota: Quota?

        /// Makes a cell to create.
        public init(name: String, nodes: [UInt32], quota: Quota? = nil) {
            self.name = name
            self.nodes = nodes
            self.quota = quota
        }
    }

    /// A cell a batch creation made, or found made with the same members.
    public struct CreatedCell: Hashable, Sendable {
        /// The cell's first configuration.
        public var configuration: Colony_V1_CellConfiguration
        /// Whether the node asked hosted the cell already (a retry, or another creation).
        public var alreadyExisted: Bool
    }

    /// The most cells one `CreateCells` call carries, as every node takes it.
    public static let createCellsMax = 1_000

    /// Creates `cells` (names distinct) in calls of at most `createCellsMax` cells, each
    /// asked at `target` (a node's client address; nil: the seeds, any node) and answered
    /// there by a member; a cell the node asked is not a member of is asked again, grouped by
    /// the member its answer names. Returns each cell's outcome in `cells`' order: one refused
    /// cell does not fail the others. Throws only when a whole call found no node to answer
    /// it; asking again is safe (a made cell answers `alreadyExisted`).
    public func createCells(_ cells: [NewCell], at target: String? = nil) async throws -> [Result<CreatedCell, ColonyError>] {
        var outcomes = [Result<CreatedCell, ColonyError>?](repeating: nil, count: cells.count)
        var redirected: [String: [Int]] = [:]
        try await ask(Array(cells.indices), of: cells, at: target.map { [$0] }, into: &outcomes) { index, member in
            redirected[member, default: []].append(index)
        }
        var redirectedAgain: [Int] = []
        for (member, indices) in redirected.sorted(by: { $0.key < $1.key }) {
            try await ask(indices, of: cells, at: [member], into: &outcomes) { index, _ in redirectedAgain.append(index) }
        }
        for index in redirectedAgain {
            outcomes[index] = .failure(.unavailable("the members of cell \(cells[index].name) each named another to create it"))
        }
        return outcomes.map { $0 ?? .failure(.unavailable("no answer")) }
    }

    /// Asks `targets` to create the cells at `indices`, in calls of at most `createCellsMax`;
    /// each cell's answer goes into `outcomes`, but a redirect to a member, handed to
    /// `redirect` with that member's address.
    private func ask(
        _ indices: [Int], of cells: [NewCell], at targets: [String]?, into outcomes: inout [Result<CreatedCell, ColonyError>?],
        redirect: (Int, String) -> Void
    ) async throws {
        var start = 0
        while start < indices.count {
            let chunk = Array(indices[start..<min(start + Self.createCellsMax, indices.count)])
            start += chunk.count
            var made = Colony_V1_CreateCellsRequest()
            made.cells = chunk.map { Self.creationRequest(cells[$0]) }
            let request = made
            let reply = try await anyNode(targets: targets) { client, options in try await client.createCells(request, options: options) }
            guard reply.cells.count == chunk.count else {
                throw ColonyError.unavailable("a node answered \(reply.cells.count) cells of a creation of \(chunk.count)")
            }
            for (index, answer) in zip(chunk, reply.cells) {
                if answer.hasError {
                    let member = answer.error.leaderAddress
                    if answer.error.code == .notLeader, !member.isEmpty, targets != [member] {
                        redirect(index, member)
                    } else {
                        outcomes[index] = .failure(ColonyError(answer.error))
                    }
                    continue
                }
                let members = answer.configuration.members.map(\.address).filter { !$0.isEmpty }
                views[cells[index].name] = CellView(members: members, epoch: answer.configuration.epoch)
                outcomes[index] = .success(CreatedCell(configuration: answer.configuration, alreadyExisted: answer.alreadyExisted))
            }
        }
    }

    /// The single-cell request for `cell`, as `createCell` makes it.
    static func creationRequest(_ cell: NewCell) -> Colony_V1_CreateCellRequest {
        var made = Colony_V1_CreateCellRequest()
        made.cell = cell.name
        made.nodes = cell.nodes
        if let quota = cell.quota {
            made.limits.keysMax = quota.keysMax ?? 0
            made.limits.bytesMax = quota.bytesMax ?? 0
            made.limits.valueBytesMax = quota.valueBytesMax ?? 0
        }
        return made
    }
}
