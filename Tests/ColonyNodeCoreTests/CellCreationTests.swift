@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// Cell creation at the node core: a batch answered cell by cell once durable, and a creation
/// asked again telling the members again.
@Suite("cell creation at the node core")
struct CellCreationTests {
    static let members = [NodeID(1), NodeID(2), NodeID(3)]

    static func core(defects: Set<Defect> = []) -> NodeCore {
        var options = ReplicaOptions()
        options.defects = defects
        return NodeCore(node: NodeID(1), options: options, frameBytesMax: 1 << 20, seed: 11)
    }

    static func configuration(_ members: [NodeID] = members) throws -> CellConfiguration {
        try CellConfiguration(epoch: 1, members: members, startSlot: 1)
    }

    /// The cells the effects' creation frames name, by destination.
    static func creationFrames(_ effects: NodeEffects) throws -> [NodeID: [CellID]] {
        var cells: [NodeID: [CellID]] = [:]
        for frame in effects.frames where frame.isControl {
            let header = try PeerFrameHeader(frame.bytes, frameBytesMax: 1 << 20)
            if case .createCell(let cell, _) = try PeerFrame.decode(header, body: frame.bytes.dropFirst(PeerFrame.headerBytes)) {
                cells[frame.to, default: []].append(cell)
            }
        }
        return cells
    }

    @Test("a batch is written in one append and answered cell by cell only once that append is durable")
    func answeredOnceDurable() throws {
        var core = Self.core()
        let configuration = try Self.configuration()
        let batch = [(CellID("a"), configuration), (CellID("b"), configuration), (CellID("a"), configuration)]
        core.createCells(batch.map { (cell: $0.0, configuration: $0.1) }, waiter: WaiterID(5))
        let made = core.takeEffects()
        let append = try #require(made.append)
        #expect(Set(append.records.map(\.cell)) == [CellID("a"), CellID("b")])
        #expect(made.answers.isEmpty, "nothing is answered before the replicas are durable")
        #expect(core.heldCreationCount == 1)
        // The cell named twice is told twice; a member makes its replica once.
        let told = [CellID("a"), CellID("b"), CellID("a")]
        #expect(try Self.creationFrames(made) == [NodeID(2): told, NodeID(3): told])
        core.durable(through: append.ticket)
        #expect(core.takeEffects().answers == [
            NodeAnswer(waiter: WaiterID(5), outcome: .cellsCreated([.created, .created, .exists(configuration)]))
        ])
        #expect(core.heldCreationCount == 0)
    }

    @Test("with the durability gate switched off (sendsBeforeDurable), the batch is answered before it is durable")
    func answeredEarlyWithDefect() throws {
        var core = Self.core(defects: [.sendsBeforeDurable])
        core.createCells([(cell: CellID("a"), configuration: try Self.configuration())], waiter: WaiterID(5))
        let made = core.takeEffects()
        #expect(made.append != nil)
        #expect(made.answers == [NodeAnswer(waiter: WaiterID(5), outcome: .cellsCreated([.created]))])
    }

    @Test("a creation waiting for its append is answered stopping when the node stops")
    func stoppingAnswersHeldCreation() throws {
        var core = Self.core()
        core.createCells([(cell: CellID("a"), configuration: try Self.configuration())], waiter: WaiterID(5))
        _ = core.takeEffects()
        core.stop()
        #expect(core.takeEffects().answers == [NodeAnswer(waiter: WaiterID(5), outcome: .noAnswer(.stopping))])
        #expect(core.heldCreationCount == 0)
    }

    @Test("asked again, a cell that applied nothing tells its members again; one with other members does not")
    func askedAgainTellsMembers() throws {
        var core = Self.core()
        let configuration = try Self.configuration()
        core.createCells([(cell: CellID("a"), configuration: configuration)], waiter: WaiterID(5))
        let append = try #require(core.takeEffects().append)
        core.durable(through: append.ticket)
        _ = core.takeEffects()

        core.createCells([(cell: CellID("a"), configuration: configuration)], waiter: WaiterID(6))
        let again = core.takeEffects()
        #expect(again.append == nil, "nothing new to write")
        #expect(again.answers == [NodeAnswer(waiter: WaiterID(6), outcome: .cellsCreated([.exists(configuration)]))])
        #expect(try Self.creationFrames(again) == [NodeID(2): [CellID("a")], NodeID(3): [CellID("a")]])

        let other = try Self.configuration([NodeID(1), NodeID(4), NodeID(5)])
        core.createCells([(cell: CellID("a"), configuration: other)], waiter: WaiterID(7))
        let refused = core.takeEffects()
        #expect(refused.answers == [NodeAnswer(waiter: WaiterID(7), outcome: .cellsCreated([.exists(configuration)]))])
        #expect(try Self.creationFrames(refused).isEmpty)
    }

    @Test(
        "a creation whose frames were lost with its creator's crash leaves the cell leaderless until it is asked again, then it elects; with creationAskedAgainTellsNoOne it stays leaderless",
        arguments: [false, true])
    func lostFramesFinishedByAskingAgain(defective: Bool) throws {
        var nodes = try HandWiredNodes(cell: CellID("base"), members: Self.members, defects: defective ? [.creationAskedAgainTellsNoOne] : [])
        let cell = CellID("new")
        // The creator writes its replica, but its frames never reach the others: it crashes.
        nodes.cutLinks = [[NodeID(1), NodeID(2)], [NodeID(1), NodeID(3)]]
        nodes.create([(cell: cell, configuration: try Self.configuration())], at: NodeID(1))
        nodes.deliverAll()
        nodes.crash(NodeID(1))
        nodes.cutLinks = []
        #expect(nodes.nodes[NodeID(1)]?.core.host.replica(cell) != nil, "the creator's replica was durable")
        #expect(nodes.nodes[NodeID(2)]?.core.host.replica(cell) == nil)
        #expect(nodes.nodes[NodeID(3)]?.core.host.replica(cell) == nil)
        let leads = { (nodes: HandWiredNodes) in nodes.nodes.values.contains { $0.core.host.replica(cell)?.isLeader == true } }
        let electedAlone = nodes.tick(until: leads, limit: 300)
        #expect(!electedAlone, "one member of three cannot elect")
        // Asked again (a bulk creation run again), the creator tells the members again.
        nodes.create([(cell: cell, configuration: try Self.configuration())], at: NodeID(1))
        let elected = nodes.tick(until: leads)
        #expect(elected == !defective, "the cell elects once a majority hosts it")
    }
}
