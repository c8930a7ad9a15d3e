import ColonyPlacement

/// An operator's command that changes one record of the directory and leaves the rest to
/// the control loop: `colony node drain|gone|activate`, `colony cell move`, `colony control
/// pause|resume`, and a node joining the colony.
///
/// Every command is carried out the same way, by `OperatorCommandRun`: read the directory,
/// decide the record (`record(in:)`), write it. The `colony` command runs it through a client
/// (`run(directory:)`); the simulator's operator runs the same steps through its simulated
/// directory cell, so both decide and write alike.
public enum OperatorCommand: Hashable, Sendable {
    /// Moves node `node` to `state` (`drain`, `gone`, `activate`); a gone node never comes
    /// back (`NodeStateChange`).
    case setState(node: UInt32, NodeState)
    /// Records a node that joins the colony: active, or as it was recorded before with the
    /// same addresses (`NodeJoining`).
    case join(NodeRecord)
    /// Gives cell `cell` a target (`CellTargeting`).
    case move(cell: String, CellTargeting.Destination)
    /// Stops or resumes every automatic move.
    case setPaused(Bool)

    /// The record the command writes over `snapshot`; throws when the directory's state
    /// refuses the command (an unknown node or cell, a gone node activated or joining, a
    /// joining node's id or addresses in use or its identity revoked, a placement that cannot
    /// be made).
    public func record(in snapshot: DirectorySnapshot) throws(ControlError) -> DirectoryRecord {
        switch self {
        case .setState(let node, let state):
            return .node(try NodeStateChange.change(node, to: state, in: snapshot.nodes).after)
        case .join(let node):
            return .node(try NodeJoining.record(node, over: snapshot.nodes, revoked: snapshot.revokedNodes))
        case .move(let cell, let destination):
            return .cell(try CellTargeting.target(destination, of: cell, in: snapshot))
        case .setPaused(let paused):
            var settings = snapshot.settings
            settings.paused = paused
            return .settings(settings)
        }
    }

    /// Carries the command out on `directory`; returns the directory as it was read, and
    /// the record written.
    public func run(directory: Directory) async throws(ControlError) -> (before: DirectorySnapshot, written: DirectoryRecord) {
        var run = OperatorCommandRun(self)
        var reader = DirectoryReader()
        var operation = run.start()
        while true {
            switch run.answered(await directory.perform(operation, reader: &reader)) {
            case .perform(let next): operation = next
            case .done(let before, let written): return (before, written)
            case .refused(let error): throw error
            case .failed(let error): throw .directory(error)
            }
        }
    }
}

/// One operator's command under way, apart from any IO: it asks for the directory, decides
/// the record, asks for it to be written. Its phases: reading → writing → over, or reading →
/// over when the directory cannot be read or the decision is refused.
public struct OperatorCommandRun: Sendable {
    /// What the run asks next, or how it ended.
    public enum Next: Sendable {
        /// Carry out this operation, and answer with what it came to.
        case perform(DirectoryOperation)
        /// The record is written over the directory as it was read `before`.
        case done(before: DirectorySnapshot, written: DirectoryRecord)
        /// The directory refused the command (see `OperatorCommand.record(in:)`); nothing was written.
        case refused(ControlError)
        /// The directory could not be read or written; the command may be run again.
        case failed(DirectoryError)
    }

    /// The command carried out.
    public let command: OperatorCommand
    /// The directory as read and the record decided, once read.
    private var decided: (before: DirectorySnapshot, record: DirectoryRecord)?

    /// A run of `command`, not started.
    public init(_ command: OperatorCommand) {
        self.command = command
    }

    /// The first operation: read the whole directory.
    public func start() -> DirectoryOperation {
        .snapshot
    }

    /// Takes what the operation asked for last came to; returns what to do next.
    public mutating func answered(_ answer: Result<DirectoryReadout, DirectoryError>) -> Next {
        switch (decided, answer) {
        case (_, .failure(let error)):
            return .failed(error)
        case (nil, .success(.snapshot(let snapshot))):
            do {
                let record = try command.record(in: snapshot)
                decided = (snapshot, record)
                return .perform(.write([record]))
            } catch {
                return .refused(error)
            }
        case (let decided?, .success(.written)):
            return .done(before: decided.before, written: decided.record)
        case (nil, .success), (_?, .success):
            preconditionFailure("Invalid state: the command \(command) was answered with \(answer), which it did not ask for")
        }
    }
}
