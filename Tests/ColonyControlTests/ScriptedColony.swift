import ColonyControl
import ColonyCore
import Testing

/// A colony the control loop's core runs against in tests: its directory held in memory, what
/// each node lists, and failures set by the test. It answers every step as a colony would (a
/// membership change is applied and its new member renewed at once, a transfer is asked) and
/// keeps the lines the core said and the status it last wrote.
struct ScriptedColony {
    /// The directory.
    var directory: DirectorySnapshot
    /// What each node lists.
    var listed: [NodeID: [ReplicaSummary]]
    /// The status last written.
    var status: ControlStatus?
    /// Whether reading the directory fails.
    var directoryFails = false
    /// Whether writing a cell record fails.
    var cellWritesFail = false
    /// Nodes that do not answer.
    var silent: Set<NodeID> = []
    /// The operator pauses the colony once this many membership changes were answered.
    var pauseAfterChanges: Int?
    /// Membership changes answered so far.
    var changesAnswered = 0
    /// Every line the core said, in order.
    var lines: [String] = []

    /// The colony of `fixture`: its directory, every observed replica listed by its node.
    init(_ fixture: ControlFixture) {
        directory = fixture.snapshot
        listed = fixture.summaries
    }

    /// Runs one pass of `core` at `now`; the steps it asked for, in order, `endPass` last.
    @discardableResult
    mutating func pass(_ core: inout ControlLoopCore, at now: Double) -> [ControlLoopStep] {
        var output = core.startPass(now: now)
        var asked: [ControlLoopStep] = []
        while true {
            lines += output.lines
            asked.append(output.step)
            guard let event = answer(output.step) else { return asked }
            output = core.handle(event)
        }
    }

    /// The answer to `step`; nil for `endPass`.
    private mutating func answer(_ step: ControlLoopStep) -> ControlLoopEvent? {
        switch step {
        case .readDirectory:
            return .directoryRead(directoryFails ? .failure(.unreachable("no majority")) : .success(directory))
        case .listCells(let nodes):
            let asked = nodes.map { NodeID($0.id) }
            let answering = listed.filter { asked.contains($0.key) && !silent.contains($0.key) }
            return .cellsListed(summaries: answering, unreachable: asked.filter(silent.contains))
        case .readSettings:
            return .settingsRead(.success(directory.settings))
        case .write(.cell(let record)):
            guard !cellWritesFail else { return .writeFailed(.unreachable("no majority")) }
            directory.cells = directory.cells.map { $0.cell == record.cell ? record : $0 }
            return .written
        case .write(.status(let written)):
            status = written
            return .written
        case .write(.node), .write(.settings), .write(.policy), .write(.formats):
            Issue.record("the control loop wrote \(step), which only commands write")
            return .written
        case .changeMembership(let cell, let remove, let add, let epoch):
            let members = apply(cell, remove: remove, add: add, epoch: epoch)
            changesAnswered += 1
            if changesAnswered == pauseAfterChanges { directory.settings.paused = true }
            return .membershipChanged(.applied(epoch: epoch + 1, members: members))
        case .transferLeadership:
            return .leadershipTransferred(.asked)
        case .endPass:
            return nil
        }
    }

    /// Replaces `remove` by `add` in `cell`, at `epoch`: the removed node no longer lists it,
    /// every member lists the next epoch, renewed. Returns the new members.
    private mutating func apply(_ cell: CellID, remove: NodeID, add: NodeID, epoch: Epoch) -> [NodeID] {
        let before = listed.values.joined().first { $0.cell == cell && $0.epoch == epoch }?.members ?? []
        let members = (before.filter { $0 != remove } + [add]).sorted()
        listed[remove]?.removeAll { $0.cell == cell }
        for member in members {
            listed[member, default: []].removeAll { $0.cell == cell }
            listed[member, default: []].append(ReplicaSummary(
                cell: cell, epoch: epoch + 1, members: members, isMember: true, isDamaged: false, appliedThrough: epoch + 1))
        }
        return members
    }
}

extension [ControlLoopStep] {
    /// The cell records written.
    var cellWrites: [PlacedCell] {
        compactMap { if case .write(.cell(let record)) = $0 { record } else { nil } }
    }

    /// The new moves whose intent was written.
    var movesStarted: [PlacedCell] {
        cellWrites.filter { $0.move != nil }
    }

    /// The statuses written.
    var statusWrites: [ControlStatus] {
        compactMap { if case .write(.status(let status)) = $0 { status } else { nil } }
    }

    /// The membership changes asked.
    var changes: [ControlLoopStep] {
        filter { if case .changeMembership = $0 { true } else { false } }
    }

    /// The leadership transfers asked.
    var transfers: [ControlLoopStep] {
        filter { if case .transferLeadership = $0 { true } else { false } }
    }

    /// How many times the settings were read (each a pause check).
    var pauseChecks: Int {
        filter { $0 == .readSettings }.count
    }
}
