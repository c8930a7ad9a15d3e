import ColonyCore

/// Step 4 and 5 of a pass: the plan carried out one awaited answer at a time, then the status.
extension ControlLoopCore {
    /// Where the loop is in its pass; see the type's transitions.
    enum Phase: Sendable {
        /// Between passes.
        case idle
        /// Step 1: waiting for the directory, for the pass started `at`.
        case readingDirectory(at: Double)
        /// Step 2: waiting for the nodes' listings.
        case listingCells(DirectorySnapshot, at: Double)
        /// Step 4: carrying out the plan, waiting for one answer.
        case carryingOut(PassWork, awaiting: Awaited)
        /// Step 5: waiting for the status write; the status, its pass number zeroed, and the
        /// pass's time.
        case writingStatus(ControlStatus, at: Double)
    }

    /// What a pass carries from one action of its plan to the next.
    struct PassWork: Sendable {
        /// The plan's actions not yet carried out.
        var remaining: ArraySlice<CellAction>
        /// The cells as observed in step 2, by name.
        var observed: [String: ObservedCell]
        /// The problems found, for the status.
        var problems: [String]
        /// The cells with a move under way, by name.
        var underWay: [String]
        /// Whether the pass found the colony paused; once true, it stays so.
        var paused: Bool
        /// The plan's count of replicas still to move.
        var replicasToMove: Int
        /// The pass's time, seconds.
        var now: Double
    }

    /// The answer a pass waits for in step 4.
    enum Awaited: Sendable {
        /// The settings, read before the action.
        case pauseCheck(before: Gated)
        /// The write of `record`, made to `purpose`.
        case record(PlacedCell, purpose: RecordPurpose)
        /// The cell's answer to the change.
        case change(cell: CellID, remove: NodeID, add: NodeID)
        /// The leader's answer to the transfer.
        case transfer(cell: CellID, from: NodeID, to: NodeID)
    }

    /// An action the pause check comes before.
    enum Gated: Sendable {
        /// A new move: its intent is written, then its change sent.
        case start(PlacedCell)
        /// A membership change of a move under way.
        case change(cell: CellID, remove: NodeID, add: NodeID, expectedEpoch: Epoch)
        /// A leadership transfer.
        case transfer(cell: CellID, from: NodeID, to: NodeID)
    }

    /// Why a cell record is written.
    enum RecordPurpose: Sendable {
        /// A new move's intent.
        case start
        /// A move seen through.
        case finish
        /// A target reached.
        case reachTarget
        /// A move given up.
        case abandon
    }

    /// Carries out the plan's next actions up to the first that waits for an answer; at the
    /// plan's end, the status.
    mutating func advance(_ work: PassWork) -> ControlLoopStep {
        var work = work
        while let action = work.remaining.popFirst() {
            let gated: Gated
            switch action {
            case .start(let record):
                gated = .start(record)
            case .change(let cell, let remove, let add, let epoch):
                gated = .change(cell: cell, remove: remove, add: add, expectedEpoch: epoch)
            case .transferLeadership(let cell, let from, let to):
                gated = .transfer(cell: cell, from: from, to: to)
            case .finish(let record):
                return writing(record, purpose: .finish, work)
            case .reachTarget(let record):
                return writing(record, purpose: .reachTarget, work)
            case .abandon(let record):
                return writing(record, purpose: .abandon, work)
            case .waitForMember:
                continue
            case .problem(let cell, let message):
                work.problems.append("\(cell?.name ?? "*"): \(message)")
                continue
            }
            guard !work.paused else { continue }
            phase = .carryingOut(work, awaiting: .pauseCheck(before: gated))
            return .readSettings
        }
        return statusStep(work)
    }

    /// The pause check's answer: the action goes ahead unless the colony is paused (or the
    /// settings could not be read, which skips this action only) or its throttle is empty.
    mutating func settingsRead(_ result: Result<ControlSettings, DirectoryError>) -> ControlLoopStep {
        guard case .carryingOut(var work, .pauseCheck(let gated)) = phase else { unasked("the settings") }
        guard case .success(let settings) = result else { return advance(work) }
        work.paused = settings.paused
        guard !work.paused else { return advance(work) }
        switch gated {
        case .start(let record):
            guard throttle.take() else { return advance(work) }
            return writing(record, purpose: .start, work)
        case .change(let cell, let remove, let add, let epoch):
            phase = .carryingOut(work, awaiting: .change(cell: cell, remove: remove, add: add))
            return .changeMembership(cell: cell, remove: remove, add: add, expectedEpoch: epoch)
        case .transfer(let cell, let from, let to):
            guard transfers.take() else { return advance(work) }
            transferAskedAt[cell] = work.now
            phase = .carryingOut(work, awaiting: .transfer(cell: cell, from: from, to: to))
            return .transferLeadership(cell: cell, to: to)
        }
    }

    /// Asks for `record` to be written, to `purpose`.
    private mutating func writing(_ record: PlacedCell, purpose: RecordPurpose, _ work: PassWork) -> ControlLoopStep {
        phase = .carryingOut(work, awaiting: .record(record, purpose: purpose))
        return .write(.cell(record))
    }

    /// A write's answer: a cell record's (a new move's change follows its intent), or the status's.
    mutating func written(failure: DirectoryError?) -> ControlLoopStep {
        switch phase {
        case .carryingOut(var work, .record(let record, let purpose)):
            let name = record.cell.name
            if let failure {
                report("cannot record \(name): \(failure)")
                return advance(work)
            }
            switch purpose {
            case .start:
                say("start moving \(name): \(Self.describe(record.move))")
                movesStarted += 1
                work.underWay.append(name)
                if let move = record.move, let epoch = work.observed[name]?.epoch {
                    let (remove, add) = (NodeID(move.remove), NodeID(move.add))
                    phase = .carryingOut(work, awaiting: .change(cell: record.cell, remove: remove, add: add))
                    return .changeMembership(cell: record.cell, remove: remove, add: add, expectedEpoch: epoch)
                }
            case .finish:
                say("finished moving \(name): members \(Self.names(record.placement.members))")
                movesFinished += 1
                work.underWay.removeAll { $0 == name }
            case .reachTarget:
                say("\(name) reached its target: members \(Self.names(record.placement.members))")
            case .abandon:
                say("gave up the move of \(name): its destination is no longer active")
            }
            return advance(work)
        case .writingStatus(let unnumbered, let now):
            if let failure {
                report("cannot write the status: \(failure)")
            } else {
                statusWritten = (unnumbered, now)
            }
            phase = .idle
            return .endPass
        case .idle, .readingDirectory, .listingCells, .carryingOut:
            unasked("a write")
        }
    }

    /// The cell's answer to a membership change, said.
    mutating func membershipChanged(_ outcome: MembershipChangeResult) -> ControlLoopStep {
        guard case .carryingOut(let work, .change(let cell, let remove, let add)) = phase else { unasked("a membership change") }
        switch outcome {
        case .applied(let epoch, let members):
            say("cell \(cell): replaced \(remove) by \(add); epoch \(epoch), members \(Self.names(members))")
        case .alreadyApplied:
            say("cell \(cell): replacing \(remove) by \(add) was applied already")
        case .refused(let message):
            report("cell \(cell): replacing \(remove) by \(add) must wait: \(message)")
        case .failed(let message):
            report("cell \(cell): replacing \(remove) by \(add) failed: \(message)")
        }
        return advance(work)
    }

    /// The leader's answer to a leadership transfer, said.
    mutating func leadershipTransferred(_ outcome: LeadershipTransferResult) -> ControlLoopStep {
        guard case .carryingOut(let work, .transfer(let cell, let from, let to)) = phase else { unasked("a leadership transfer") }
        switch outcome {
        case .asked:
            say("cell \(cell): asked \(to) to take the lead from \(from), as its placement prefers")
        case .alreadyLeader:
            say("cell \(cell): \(to) leads already")
        case .refused(let message):
            report("cell \(cell): moving its lead to \(to) must wait: \(message)")
        case .failed(let message):
            report("cell \(cell): moving its lead to \(to) failed: \(message)")
        }
        return advance(work)
    }

    /// Step 5: the status write when it is due, or the pass's end.
    private mutating func statusStep(_ work: PassWork) -> ControlLoopStep {
        let status = ControlStatus(
            pass: pass, paused: work.paused, movesStarted: movesStarted, movesFinished: movesFinished,
            movesUnderWay: work.underWay.sorted(), replicasToMove: work.replicasToMove, problems: work.problems, loop: loop)
        var unnumbered = status
        unnumbered.pass = 0
        let due = statusWritten.map { unnumbered != $0.status || work.now - $0.at >= configuration.statusRefreshSeconds } ?? true
        guard due else {
            phase = .idle
            return .endPass
        }
        phase = .writingStatus(unnumbered, at: work.now)
        return .write(.status(status))
    }

    /// `replace n1 by n4 (drain)`.
    static func describe(_ move: PendingMove?) -> String {
        move.map { "replace \(NodeID($0.remove)) by \(NodeID($0.add)) (\($0.reason.rawValue))" } ?? "no move"
    }

    /// `n1,n4,n7`.
    static func names(_ members: [NodeID]) -> String {
        members.map(\.description).joined(separator: ",")
    }
}
