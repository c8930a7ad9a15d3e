import ColonyCore

/// What the control loop's core asks its shell to do next.
///
/// The contract: the shell logs the output's `lines`, then carries out its `step`, then hands
/// the core exactly one event, the one the step names, before anything else. Every step but
/// `endPass` waits for its event; the core never asks for two things at once, so what it
/// asks for depends on everything answered before (a change is sent only once its intent is
/// written, a move starts only after the settings read just before it said unpaused).
public enum ControlLoopStep: Hashable, Sendable {
    /// Read the whole directory in one listing (`DirectorySnapshot(listing:)`); answer
    /// `.directoryRead`.
    case readDirectory
    /// Ask each of `nodes`, all at once, for the replicas it hosts; answer `.cellsListed`.
    case listCells([NodeRecord])
    /// Read the control settings again, the pause check before a move, a membership change
    /// or a leadership transfer; answer `.settingsRead`.
    case readSettings
    /// Write `record` to the directory; answer `.written` or `.writeFailed`.
    case write(DirectoryRecord)
    /// Ask `cell` to replace member `remove` by node `add`, as decided at `expectedEpoch`;
    /// answer `.membershipChanged`.
    case changeMembership(cell: CellID, remove: NodeID, add: NodeID, expectedEpoch: Epoch)
    /// Ask `cell`'s leader to hand its lead to member `to`; answer `.leadershipTransferred`.
    case transferLeadership(cell: CellID, to: NodeID)
    /// The pass is over: wait the pass interval, then start the next one.
    case endPass
}

/// The answer to the step the control loop's core asked for last.
public enum ControlLoopEvent: Hashable, Sendable {
    /// The directory as read, or why it could not be.
    case directoryRead(Result<DirectorySnapshot, DirectoryError>)
    /// What each node that answered said of its replicas, and the nodes that did not answer.
    case cellsListed(summaries: [NodeID: [ReplicaSummary]], unreachable: [NodeID])
    /// The settings as read, or why they could not be.
    case settingsRead(Result<ControlSettings, DirectoryError>)
    /// The record was written.
    case written
    /// The record was not written, and why.
    case writeFailed(DirectoryError)
    /// What the cell answered the membership change.
    case membershipChanged(MembershipChangeResult)
    /// What the cell's leader answered the leadership transfer.
    case leadershipTransferred(LeadershipTransferResult)
}

/// What the control loop's core says and asks for after an event: see `ControlLoopStep`.
public struct ControlLoopOutput: Hashable, Sendable {
    /// What the loop did or found, a line each, to log before carrying out `step`.
    public var lines: [String]
    /// What to do next.
    public var step: ControlLoopStep

    /// Makes an output.
    public init(lines: [String], step: ControlLoopStep) {
        self.lines = lines
        self.step = step
    }
}

/// What a cell said to the control plane's request to replace one of its members.
public enum MembershipChangeResult: Hashable, Sendable {
    /// The cell applied the change; its new epoch and members.
    case applied(epoch: Epoch, members: [NodeID])
    /// The cell had applied the change before (a retry).
    case alreadyApplied
    /// The cell refused for now (it is at another epoch, a change is in flight, a majority
    /// is not live, no answer came in time); the message says why. A later pass decides again.
    case refused(String)
    /// The request could not be made (the cell is not found, the change is invalid, no node
    /// answered); the message says why.
    case failed(String)
}

/// What a cell's leader said to the control plane's request to hand its lead to a member.
public enum LeadershipTransferResult: Hashable, Sendable {
    /// The leader asked the target to take over.
    case asked
    /// The target led already.
    case alreadyLeader
    /// The leader refused for now; the message says why.
    case refused(String)
    /// The request could not be made; the message says why.
    case failed(String)
}

extension ControlLoopStep {
    /// The directory operation the step asks for; nil for a step that asks the nodes, or
    /// ends the pass. Every shell carries it out its own way and answers with
    /// `event(answering:)`.
    public var directoryOperation: DirectoryOperation? {
        switch self {
        case .readDirectory: return .snapshot
        case .readSettings: return .settings
        case .write(let record): return .write([record])
        case .listCells, .changeMembership, .transferLeadership, .endPass: return nil
        }
    }

    /// The event answering the step with what its `directoryOperation` came to.
    public func event(answering answer: Result<DirectoryReadout, DirectoryError>) -> ControlLoopEvent {
        switch (self, answer) {
        case (.readDirectory, .success(.snapshot(let snapshot))): return .directoryRead(.success(snapshot))
        case (.readDirectory, .failure(let error)): return .directoryRead(.failure(error))
        case (.readSettings, .success(.settings(let settings))): return .settingsRead(.success(settings))
        case (.readSettings, .failure(let error)): return .settingsRead(.failure(error))
        case (.write, .success(.written)): return .written
        case (.write, .failure(let error)): return .writeFailed(error)
        case (.readDirectory, .success), (.readSettings, .success), (.write, .success), (.listCells, _), (.changeMembership, _),
             (.transferLeadership, _), (.endPass, _):
            preconditionFailure("Invalid state: step \(self) answered with \(answer), which is not what its directory operation reads")
        }
    }
}
