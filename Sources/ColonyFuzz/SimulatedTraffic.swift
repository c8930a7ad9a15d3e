import ColonyCore
@_spi(Testing) import ColonySim
import ColonyWire

/// What the nodes of a short simulated run said to one another, as the production node core
/// encoded it: the seed of every fuzzing corpus that reads peer frames or durable records.
///
/// The run is small (three nodes, a handful of cells, two simulated seconds) but has every
/// fault, so its frames include elections, catch-ups and membership changes, not only the
/// steady exchange of accepts.
public struct SimulatedTraffic: Sendable {
    /// The frames nodes sent, bytes as they went on the network, with a hello and a cell
    /// creation added (the simulator's links need no hello).
    public var frames: [[UInt8]]
    /// Every message those frames carried.
    public var messages: [PeerMessage]

    /// The most frames kept from the run.
    public static let framesMax = 600

    /// Records the traffic of the run of `seed`.
    public init(seed: UInt64) {
        var options = SimulationOptions()
        options.nodes = 3
        options.spareNodes = 0
        options.zones = 1
        options.cells = 6
        options.replicas = 3
        options.clients = 3
        options.duration = 2 * Nanoseconds.second
        options.recordsHistory = false
        guard var simulation = try? Simulation(seed: seed, options: options) else {
            preconditionFailure("Invalid state: the fuzzing corpus's simulation options are valid")
        }
        simulation.sentFramesToKeep = Self.framesMax
        simulation.run(until: options.duration)
        let cell = CellID("fuzz-cell")
        var made = [
            PeerFrame.hello(colony: "fuzz-colony", node: NodeID(2), reads: 1...1).encoded(),
            PeerFrame.hello(colony: "", node: NodeID(UInt32.max), reads: 1...1).encoded(),
        ]
        if let configuration = try? CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1) {
            made.append(PeerFrame.createCell(cell, configuration).encoded())
        }
        // The simulator traces nothing: one announcement of a sampled request seeds that kind.
        if let traced = TracedRequest(
            cell: cell, request: RequestID(client: ClientID(7), sequence: 1),
            traceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        {
            made.append(PeerFrame.traceContexts([traced]).encoded())
        }
        frames = made + simulation.sentFrames
        messages = simulation.sentFrames.flatMap { bytes -> [PeerMessage] in
            guard let header = try? PeerFrameHeader(bytes, frameBytesMax: bytes.count),
                  case .messages(let messages, _)? = try? PeerFrame.decode(header, body: bytes[PeerFrame.headerBytes...])
            else { return [] }
            return messages
        }
    }

    /// The durable records a replica would write for these messages: the ballots it
    /// promised, the entries it accepted, the snapshots it installed, renewals and deletions.
    public var records: [(CellID, DurableRecord)] {
        messages.flatMap { message -> [(CellID, DurableRecord)] in
            Self.records(implied: message.body).map { (message.cell, $0) }
        }
    }

    private static func records(implied body: PeerMessageBody) -> [DurableRecord] {
        switch body {
        case .accept(let ballot, let slot, let batch, _):
            return [.promise(ballot), .accepted(slot: slot, entry: LogEntry(ballot: ballot, batch: batch, isChosen: false))]
        case .promise(let ballot, _, let entries):
            return [.promise(ballot)] + entries.map { .accepted(slot: $0.slot, entry: $0.entry) }
        case .catchUpEntries(let entries, _):
            return entries.map { .accepted(slot: $0.slot, entry: $0.entry) }
        case .snapshot(let state):
            return [.snapshot(state)]
        case .renewal(let request):
            return [.damaged(renewal: request), .healed]
        case .cellDeleted(let tombstone):
            return [.deleted(tombstone)]
        case .poll(let ballot, _), .pollReply(let ballot, _), .prepare(let ballot, _), .accepted(let ballot, _),
             .heartbeat(let ballot, _, _), .heartbeatReply(let ballot, _, _), .quiesce(let ballot, _), .takeOver(let ballot),
             .reject(_, let ballot):
            return [.promise(ballot)]
        case .catchUpRequest, .staleEpoch:
            return []
        }
    }
}
