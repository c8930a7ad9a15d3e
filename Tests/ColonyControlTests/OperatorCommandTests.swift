import ColonyAuth
import ColonyClient
import ColonyCore
import ColonyPlacement
import Testing
@testable import ColonyControl

@Suite("operator's commands and directory operations: read, decide, write")
struct OperatorCommandTests {
    /// What the directory cell answers a listing of `snapshot`'s records, each at version 1.
    func listing(_ snapshot: DirectorySnapshot) throws -> OperationResult {
        let records = snapshot.nodes.map(DirectoryRecord.node) + snapshot.cells.map(DirectoryRecord.cell) + [.settings(snapshot.settings)]
        let items = try records.map { KeyValue(key: Key($0.key), value: try $0.encoded(), version: 1) }
        return .list(items.sorted { $0.key.string < $1.key.string }, truncated: false, revision: 1)
    }

    @Test("a command reads the directory, writes the record it decides, and reports both")
    func drainReadsThenWrites() throws {
        let fixture = try ControlFixture(cells: ["a"])
        var run = OperatorCommandRun(.setState(node: 4, .draining))
        var reader = DirectoryReader()
        #expect(run.start() == .snapshot)
        let read = DirectoryOperation.snapshot.readout(of: try listing(fixture.snapshot), reader: &reader)
        guard case .perform(.write(let records)) = run.answered(read) else { Issue.record("no write after the read"); return }
        var drained = fixture.snapshot.nodes[3]
        drained.state = .draining
        #expect(records == [.node(drained)])
        guard case .done(let before, let written) = run.answered(.success(.written)) else { Issue.record("not done once written"); return }
        #expect(before == fixture.snapshot)
        #expect(written == .node(drained))
    }

    @Test("a command the directory refuses writes nothing, and one that cannot read may run again")
    func refusedAndFailed() throws {
        var fixture = try ControlFixture(cells: ["a"])
        fixture.setState(.gone, of: NodeID(2))
        var activate = OperatorCommandRun(.setState(node: 2, .active))
        guard case .refused(.illegalTransition) = activate.answered(.success(.snapshot(fixture.snapshot))) else {
            Issue.record("a gone node was activated"); return
        }
        var move = OperatorCommandRun(.move(cell: "zz", .near(zone: "z1")))
        guard case .refused(.directory(.unknownCell("zz"))) = move.answered(.success(.snapshot(fixture.snapshot))) else {
            Issue.record("an unknown cell was moved"); return
        }
        var pause = OperatorCommandRun(.setPaused(true))
        guard case .failed(.unreachable) = pause.answered(.failure(.unreachable("down"))) else {
            Issue.record("an unanswered read was not a failure"); return
        }
    }

    @Test("a node that joins again with its addresses keeps the state it was recorded with; a new node joins active")
    func joinKeepsState() throws {
        var fixture = try ControlFixture(cells: [])
        fixture.setState(.draining, of: NodeID(5))
        var record = fixture.snapshot.nodes[4]
        record.state = .active
        #expect(try OperatorCommand.join(record).record(in: fixture.snapshot) == .node(fixture.snapshot.nodes[4]))
        let newcomer = NodeRecord(id: 10, peerAddress: "h:7110", clientAddress: "h:7210", zone: "z1", rack: "r4")
        #expect(try OperatorCommand.join(newcomer).record(in: fixture.snapshot) == .node(newcomer))
    }

    @Test("a join is refused for a gone id, an id recorded at other addresses, addresses another live node holds, or a malformed address")
    func joinRefusals() throws {
        var fixture = try ControlFixture(cells: [])
        fixture.setState(.gone, of: NodeID(5))
        let gone = fixture.snapshot.nodes[4]
        let refusals: [(String, NodeRecord)] = [
            ("a gone id", gone),
            ("an id at other addresses", NodeRecord(id: 2, peerAddress: "elsewhere:1", clientAddress: "elsewhere:2", zone: "z1", rack: "r1")),
            ("another node's peer address", NodeRecord(id: 10, peerAddress: fixture.snapshot.nodes[0].peerAddress, clientAddress: "h:7210", zone: "z1", rack: "r4")),
            ("another node's client address", NodeRecord(id: 10, peerAddress: "h:7110", clientAddress: fixture.snapshot.nodes[1].clientAddress, zone: "z1", rack: "r4")),
            ("a malformed address", NodeRecord(id: 10, peerAddress: "no-port", clientAddress: "h:7210", zone: "z1", rack: "r4")),
            ("a malformed zone", NodeRecord(id: 10, peerAddress: "h:7110", clientAddress: "h:7210", zone: "z 1", rack: "r4")),
        ]
        for (name, record) in refusals {
            var run = OperatorCommandRun(.join(record))
            guard case .refused(.joinRefused(let node, _)) = run.answered(.success(.snapshot(fixture.snapshot))) else {
                Issue.record("a join with \(name) was not refused"); continue
            }
            #expect(node == record.id, "\(name)")
        }
        // The gone node's machine may come back under a new id, at the same addresses.
        var reborn = gone
        reborn.id = 10
        #expect(try OperatorCommand.join(reborn).record(in: fixture.snapshot) == .node(reborn))
    }

    @Test("a node whose identity the policy revokes may not join, told how to lift it; revoking an id nobody recorded stays allowed, and other ids join")
    func revokedNodeMayNotJoin() throws {
        var policy = try PolicyChange.revokeIdentity(.node(10)).applied(to: AuthPolicy())
        policy = try PolicyChange.revokeIdentity(.node(11)).applied(to: policy)
        var entries = try DirectorySnapshotTests.listing(try ControlFixture(cells: []))
        entries.append((ColonyDirectory.policyKey, try DirectoryRecord.policy(policy).encoded()))
        let snapshot = try DirectorySnapshot(listing: entries)
        #expect(snapshot.revokedNodes == [10, 11], "the snapshot reads the policy's deny-list")
        let revoked = NodeRecord(id: 10, peerAddress: "h:7110", clientAddress: "h:7210", zone: "z1", rack: "r4")
        var run = OperatorCommandRun(.join(revoked))
        guard case .refused(let error) = run.answered(.success(.snapshot(snapshot))) else {
            Issue.record("a revoked node joined"); return
        }
        #expect(error == .joinRefused(node: 10, NodeRevocationCheck.revokedNodeRecorded(10)))
        #expect("\(error)".contains("urn:colony:node:10") && "\(error)".contains("colony auth user reinstate urn:colony:node:10"), "\(error)")
        let other = NodeRecord(id: 12, peerAddress: "h:7112", clientAddress: "h:7212", zone: "z1", rack: "r4")
        #expect(try OperatorCommand.join(other).record(in: snapshot) == .node(other))
    }

    @Test("one record is written with a put, many in transactions of at most 32, and the answers read as the step asked")
    func directoryOperations() throws {
        let fixture = try ControlFixture(cells: ["a", "b"])
        let records = (0..<70).map { DirectoryRecord.node(NodeRecord(id: UInt32($0 + 1), peerAddress: "h:1", clientAddress: "h:2", zone: "z1", rack: "r1")) }
        let writes = DirectoryOperation.writes(of: records)
        #expect(writes == [.write(Array(records[0..<32])), .write(Array(records[32..<64])), .write(Array(records[64...]))])
        guard case .put(let key, _) = try DirectoryOperation.write([records[0]]).cellOperation() else { Issue.record("one record, not a put"); return }
        #expect(key == Key(records[0].key))
        guard case .transaction(let transaction) = try writes[2].cellOperation() else { Issue.record("many records, not a transaction"); return }
        #expect(transaction.success.count == 6)

        var reader = DirectoryReader()
        #expect(DirectoryOperation.settings.readout(of: .value(nil), reader: &reader) == .success(.settings(ControlSettings())))
        #expect(DirectoryOperation.snapshot.readout(of: try listing(fixture.snapshot), reader: &reader) == .success(.snapshot(fixture.snapshot)))
        guard case .failure(.unreachable) = DirectoryOperation.snapshot.readout(of: .written(version: 3), reader: &reader) else {
            Issue.record("a listing answered with a write was taken"); return
        }
        #expect(ControlLoopStep.readSettings.event(answering: .success(.settings(ControlSettings()))) == .settingsRead(.success(ControlSettings())))
        #expect(ControlLoopStep.write(records[0]).event(answering: .failure(.missing)) == .writeFailed(.missing))
        #expect(ControlLoopStep.listCells([]).directoryOperation == nil)
    }
}
