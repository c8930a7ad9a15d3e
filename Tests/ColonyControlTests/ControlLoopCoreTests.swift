import ColonyControl
import ColonyCore
import Testing

@Suite("the control loop's core, driven step by step against a scripted colony")
struct ControlLoopCoreTests {
    /// A core numbered 7, started at time 0, at one move a second.
    private func startedCore() -> ControlLoopCore {
        ControlLoopCore(loop: 7, now: 0)
    }

    /// Cells a to d with the busiest node draining.
    private func draining() throws -> ControlFixture {
        var fixture = try ControlFixture(cells: ["a", "b", "c", "d"])
        fixture.setState(.draining, of: fixture.busiestNode)
        return fixture
    }

    @Test("a pass reads the directory, lists the nodes that are not gone, and writes its first status")
    func passSteps() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let idle = try #require(fixture.snapshot.nodes.last { !fixture.record("a").placement.members.contains(NodeID($0.id)) })
        fixture.setState(.gone, of: NodeID(idle.id))
        var colony = ScriptedColony(fixture)
        var core = startedCore()
        let status = ControlStatus(
            pass: 1, paused: false, movesStarted: 0, movesFinished: 0, movesUnderWay: [], replicasToMove: 0, problems: [], loop: 7)
        #expect(colony.pass(&core, at: 0.5) == [
            .readDirectory, .listCells(fixture.snapshot.nodes.filter { $0.id != idle.id }), .write(.status(status)), .endPass,
        ])
        #expect(colony.lines.isEmpty)
    }

    @Test("a failed directory read makes no move and writes no status; the problem is said once while it lasts")
    func failedReadMakesNoMoves() throws {
        var colony = ScriptedColony(try draining())
        var core = startedCore()
        colony.directoryFails = true
        #expect(colony.pass(&core, at: 1) == [.readDirectory, .endPass])
        #expect(colony.lines == ["pass 1: no moves: \(DirectoryError.unreachable("no majority"))"])
        #expect(colony.pass(&core, at: 2) == [.readDirectory, .endPass])
        #expect(colony.lines.count == 1)
        colony.directoryFails = false
        #expect(colony.pass(&core, at: 3).movesStarted.count == 1, "the move waits for a directory, not for a token")
    }

    @Test("a new move's intent is written before its change is sent, at the epoch observed; a later pass records it done")
    func intentBeforeChange() throws {
        let fixture = try draining()
        var colony = ScriptedColony(fixture)
        var core = startedCore()
        let steps = colony.pass(&core, at: 1)
        let intent = try #require(steps.movesStarted.first)
        let move = try #require(intent.move)
        #expect(Array(steps.prefix(5)) == [
            .readDirectory, .listCells(fixture.snapshot.nodes), .readSettings, .write(.cell(intent)),
            .changeMembership(cell: intent.cell, remove: NodeID(move.remove), add: NodeID(move.add), expectedEpoch: 1),
        ])
        #expect(steps.statusWrites.first?.movesUnderWay == [intent.cell.name])
        #expect(core.movesStarted == 1)

        var done = intent
        done.move = nil
        #expect(colony.pass(&core, at: 1.5).cellWrites == [done])
        #expect(core.movesFinished == 1 && colony.status?.movesUnderWay == [])
    }

    @Test("a move whose intent cannot be written sends no change")
    func failedIntentSendsNoChange() throws {
        var colony = ScriptedColony(try draining())
        var core = startedCore()
        colony.cellWritesFail = true
        let steps = colony.pass(&core, at: 1)
        #expect(steps.movesStarted.count == 1 && steps.changes.isEmpty)
        #expect(core.movesStarted == 0)
        #expect(colony.lines.contains { $0.hasPrefix("cannot record ") })
        #expect(colony.status?.movesStarted == 0 && colony.status?.movesUnderWay == [])
    }

    @Test("a pause read mid-pass stops every later change of the pass, and the status says the loop saw it")
    func pauseMidPass() throws {
        var fixture = try ControlFixture(cells: ["a", "b", "c"])
        for cell in ["a", "b", "c"] { fixture.recordMove(of: cell) }
        var colony = ScriptedColony(fixture)
        var core = startedCore()
        colony.pauseAfterChanges = 1
        let steps = colony.pass(&core, at: 1)
        #expect(steps.changes.count == 1)
        #expect(steps.pauseChecks == 2, "the check after the pause reads it; nothing later asks again")
        #expect(colony.status?.paused == true)
        let paused = colony.pass(&core, at: 2)
        #expect(paused.pauseChecks == 0 && paused.changes.isEmpty && paused.movesStarted.isEmpty)
        #expect(paused.cellWrites.count == 1, "the change already applied is still recorded")
    }

    @Test("the throttle bounds moves: none before the first token is earned, then one a token")
    func throttleBoundsMoves() throws {
        var colony = ScriptedColony(try draining())
        var core = startedCore()
        var started: [Int] = []
        for now in [0.5, 1.0, 1.5, 2.0, 2.2, 3.0] {
            started.append(colony.pass(&core, at: now).movesStarted.count)
        }
        #expect(started == [0, 1, 0, 1, 0, 1])
    }

    @Test("the status is written when it says something new, or when the refresh is due, not on every pass")
    func statusCadence() throws {
        var colony = ScriptedColony(try ControlFixture(cells: ["a"]))
        var core = startedCore()
        var written: [Bool] = []
        for now in [0.5, 1.0, 2.0, 2.5] {
            written.append(!colony.pass(&core, at: now).statusWrites.isEmpty)
        }
        #expect(written == [true, false, false, true])
        colony.silent = [NodeID(1)]
        #expect(!colony.pass(&core, at: 2.7).statusWrites.isEmpty, "a new problem is written at once")
        #expect(colony.pass(&core, at: 3).statusWrites.isEmpty)
        #expect(colony.status?.problems == ["node 1 did not answer; its replicas were not seen"])
        #expect(colony.status?.pass == 5)
    }

    @Test("a cell asked to move its lead is not asked again until the retry time passed")
    func transferHeld() throws {
        var fixture = try ControlFixture(cells: ["a"])
        let placement = fixture.record("a").placement
        let other = try #require(placement.members.first { $0 != placement.preferredLeader })
        fixture.observeLeader("a", other)
        var colony = ScriptedColony(fixture)
        var core = startedCore()
        #expect(colony.pass(&core, at: 1).transfers == [.transferLeadership(cell: CellID("a"), to: placement.preferredLeader)])
        #expect(colony.lines.contains("cell a: asked \(placement.preferredLeader) to take the lead from \(other), as its placement prefers"))
        #expect(colony.pass(&core, at: 2).transfers.isEmpty)
        #expect(colony.pass(&core, at: 6.5).transfers.count == 1, "asked again once 5 s passed")
    }
}
