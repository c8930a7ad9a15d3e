import ColonyControl
import ColonyCore
import ColonyNodeCore

/// Something scheduled to happen in a simulation.
enum SimEvent {
    case tick(nodeIndex: Int)
    case frame(from: NodeID, toIndex: Int, bytes: [UInt8])
    case request(nodeIndex: Int, request: ClientRequest, waiter: WaiterID)
    case reply(clientIndex: Int, node: NodeID, reply: ClientReply)
    /// Node `node` was down when a client's request reached its address: the client's
    /// connection was refused, and the request never arrived.
    case connectionRefused(clientIndex: Int, node: NodeID, request: ClientRequest)
    case clientTimer(clientIndex: Int, token: UInt64)
    case nextFault
    case heal(faultID: Int)
    case restart(nodeIndex: Int)
    case resume(nodeIndex: Int)
    case stopNode(nodeIndex: Int, incarnation: UInt64)
    case clogStep(faultID: Int)
    case controlPass
    case cellsListed(summaries: [NodeID: [ReplicaSummary]], unreachable: [NodeID])
    case operatorTimer(request: UInt64, token: UInt64)
    case operatorAnswer(request: UInt64, node: NodeID, answer: OperatorAnswer)
    case transferRequest(nodeIndex: Int, cell: CellID, to: NodeID, request: UInt64)
    case operatorCommand(OperatorCommand)
    case flushDone(nodeIndex: Int, incarnation: UInt64)
    case finalReads

    /// The node the event happens on, for events that a paused node must hold back.
    var nodeIndex: Int? {
        switch self {
        case .tick(let index), .frame(_, let index, _), .request(let index, _, _), .flushDone(let index, _),
             .transferRequest(let index, _, _, _):
            return index
        case .reply, .connectionRefused, .clientTimer, .nextFault, .heal, .restart, .resume, .stopNode, .clogStep, .controlPass, .cellsListed, .operatorTimer,
             .operatorAnswer, .operatorCommand, .finalReads:
            return nil
        }
    }
}

/// Who waits for a node's answer, written into the waiter id the node answers under.
enum WaiterRoute {
    /// A client's operation: its retry machine takes the answer, or drops it if it belongs
    /// to an attempt given up on and says nothing definite.
    case client(Int)
    /// A request of the control plane's.
    case operatorRequest(UInt64)

    /// The route a waiter id names.
    init(_ waiter: WaiterID) {
        self = waiter.rawValue & Self.operatorBit != 0 ? .operatorRequest(waiter.rawValue & ~Self.operatorBit) : .client(Int(waiter.rawValue))
    }

    /// The waiter id that names this route.
    var waiter: WaiterID {
        switch self {
        case .client(let index): return WaiterID(UInt64(index))
        case .operatorRequest(let number): return WaiterID(Self.operatorBit | number)
        }
    }

    private static let operatorBit: UInt64 = 1 << 63
}
