import ColonyControl
import ColonyCore
import ColonyNodeCore

/// One request of the control plane's to the colony — a directory operation, a membership
/// change or a leadership transfer — carried to its cell by the production `RetryMachine`,
/// as the control plane's `ColonyClient` would carry it.
struct OperatorRequest {
    /// What is asked.
    enum Kind {
        /// An operation on the directory cell, as the client request that carries it.
        case directory(DirectoryOperation, ClientRequest)
        /// Replace a member of a cell, as decided at an epoch.
        case changeMembership(CellID, MembershipChange, expectedEpoch: Epoch)
        /// Hand a cell's lead to a member.
        case transfer(CellID, to: NodeID)

        /// The cell asked.
        var cell: CellID {
            switch self {
            case .directory(_, let request): return request.cell
            case .changeMembership(let cell, _, _), .transfer(let cell, _): return cell
            }
        }

        /// Whether the request changes something: giving up on it may leave its outcome unknown.
        var isWrite: Bool {
            switch self {
            case .directory(_, let request): return !request.operation.isRead
            case .changeMembership, .transfer: return true
            }
        }
    }

    /// Who waits for the result.
    enum Purpose: Hashable {
        /// The control loop's step.
        case loop
        /// The operator's command under way (or the directory's first records).
        case operatorCommand
    }

    var kind: Kind
    var purpose: Purpose
    /// Which node to ask, when to ask again, when to give up.
    var machine: RetryMachine<NodeID>
    /// Names the request's latest timer; an older one that fires is ignored.
    var token: UInt64 = 0
    /// The last answer that ended an attempt definitely, for the result.
    var answer: OperatorAnswer?

    /// The cell asked.
    var cell: CellID { kind.cell }
}

/// A node's answer to one of the control plane's requests.
enum OperatorAnswer {
    /// The cell's reply to a directory operation.
    case reply(ClientReply)
    /// The node core's answer to a membership change.
    case membershipChange(MembershipChangeOutcome)
    /// The node core's answer to a leadership transfer.
    case transfer(LeadershipTransferOutcome)

    /// How the attempt that got this answer ended, for the retry machine; `configuration`
    /// is what the answer taught of the cell's members, if anything.
    var attempt: (outcome: AttemptOutcome<NodeID>, configuration: CellConfiguration?) {
        switch self {
        case .reply(let reply):
            switch reply.outcome {
            case .redirect(_, let configuration?), .staleEpoch(let configuration):
                return (AttemptOutcome(reply.outcome) { $0 }, configuration)
            case .completed, .rejected, .redirect, .unavailable, .sessionExpired:
                return (AttemptOutcome(reply.outcome) { $0 }, nil)
            }
        case .membershipChange(let outcome):
            switch outcome {
            case .applied(let configuration), .alreadyApplied(let configuration):
                return (.succeeded, configuration)
            case .refused(.notLeader(let leader, let configuration)):
                return (.redirect(leader: leader, members: configuration.members), configuration)
            case .refused(.noState), .unavailable:
                return (.unavailable, nil)
            case .refused(.staleEpoch(_, let current)):
                return (.failed, current)
            case .refused(.wouldLoseMajority), .refused(.changeInFlight), .refused(.invalid), .deleted:
                return (.failed, nil)
            case .notHosted:
                return (.cellNotFound, nil)
            }
        case .transfer(let outcome):
            switch outcome {
            case .asked, .refused(.targetLeadsAlready):
                return (.succeeded, nil)
            case .refused(.notLeader(let leader)):
                return (.redirect(leader: leader, members: nil), nil)
            case .refused(.noState), .stopping:
                return (.unavailable, nil)
            case .refused(.notMember), .refused(.targetNotLive), .refused(.changeInFlight), .deleted:
                return (.failed, nil)
            case .notHosted:
                return (.cellNotFound, nil)
            }
        }
    }
}
