import ColonyAPI
import ColonyClient
import ColonyCore
import Foundation
import Testing
@testable import ColonyControl

@Suite("the control plane's parts: throttle, records, observations")
struct ControlPartsTests {
    @Test("the throttle starts empty, earns moves at its rate, and saves up no more than its burst")
    func throttle() {
        var throttle = MoveThrottle(now: 0)
        let first = throttle.take()
        #expect(!first, "a freshly started loop waits before its first move")
        throttle.refill(now: 0.5, movesPerSecond: 2)
        #expect(throttle.available == 1)
        let (second, third) = (throttle.take(), throttle.take())
        #expect(second && !third)
        throttle.refill(now: 100, movesPerSecond: 2)
        #expect(throttle.available == 1, "an idle hour does not buy a burst of moves")
        throttle.refill(now: 100.1, movesPerSecond: 0.5)
        let (fourth, fifth) = (throttle.take(), throttle.take())
        #expect(fourth && !fifth)
    }

    @Test("a malformed record is refused with its key and what is wrong")
    func malformedRecords() {
        let key = ColonyDirectory.nodeKey(3)
        #expect(key == "node/0000000003")
        #expect(throws: DirectoryError.malformedRecord(key: key, reason: "the field \"rack\" is missing")) {
            _ = try DirectoryCoding.decode(Array(#"{"id":3,"peerAddress":"h:1","clientAddress":"h:2","zone":"z1","color":"default","state":"active"}"#.utf8), key: key, as: NodeRecord.self)
        }
        #expect {
            _ = try DirectoryCoding.decode(Array(#"{"id":3,"peerAddress":"h:1","clientAddress":"h:2","zone":"z 1","rack":"r1","color":"default","state":"active"}"#.utf8), key: key, as: NodeRecord.self)
        } throws: { error in
            "\(error)".contains("zone") && "\(error)".contains(key)
        }
        #expect {
            _ = try DirectoryCoding.decode(Array(#"{"id":3,"peerAddress":"h:1","clientAddress":"h:2","zone":"z1","rack":"r1","color":"default","state":"lost"}"#.utf8), key: key, as: NodeRecord.self)
        } throws: { error in
            "\(error)".contains("state")
        }
        #expect(throws: DirectoryError.malformedRecord(key: ColonyDirectory.settingsKey, reason: "movesPerSecond 0.0 must be above 0 and at most 100.0")) {
            _ = try DirectoryCoding.decode(Array(#"{"paused":false,"movesPerSecond":0}"#.utf8), key: ColonyDirectory.settingsKey, as: ControlSettings.self)
        }
        #expect {
            _ = try DirectoryCoding.decode(Array("not json".utf8), key: "cell/a", as: PlacedCell.self)
        } throws: { error in
            "\(error)".contains("cell/a")
        }
    }

    @Test("records survive the trip through JSON, and the client reads its hint from a cell record")
    func recordsRoundTrip() throws {
        let fixture = try ControlFixture(cells: ["a"])
        var record = fixture.record("a")
        record.move = PendingMove(remove: 1, add: 2, reason: .drain)
        record.placement.members = (record.placement.members.filter { $0 != NodeID(1) && $0 != NodeID(2) } + [NodeID(2)]).sorted()
        let bytes = try JSONEncoder().encode(record)
        let back = try JSONDecoder().decode(PlacedCell.self, from: bytes)
        #expect(back == record)
        let object = try #require(JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(object["clientAddresses"] as? [String] == record.clientAddresses)
    }

    @Test("an observation takes the newest configuration; a removed replica's old one does not count")
    func gather() {
        func summary(_ cell: String, epoch: UInt64, members: [UInt32], damaged: Bool = false) -> Colony_V1_CellSummary {
            var summary = Colony_V1_CellSummary()
            summary.cell = cell
            summary.configuration.epoch = epoch
            summary.configuration.members = members.map { node in
                var member = Colony_V1_Member()
                member.node = node
                return member
            }
            summary.damaged = damaged
            return summary
        }
        func listed(_ node: UInt32, _ summaries: Colony_V1_CellSummary...) -> (NodeID, [ReplicaSummary]) {
            (NodeID(node), summaries.compactMap { ColonyObserver.summary($0, node: NodeID(node)) })
        }
        let cells = ObservedCell.gather(Dictionary(uniqueKeysWithValues: [
            listed(1, summary("a", epoch: 1, members: [1, 2, 3])),
            listed(2, summary("a", epoch: 2, members: [2, 3, 4])),
            listed(4, summary("a", epoch: 2, members: [2, 3, 4], damaged: true)),
        ]))
        let cell = cells["a"]
        #expect(cell?.epoch == 2 && cell?.members == [2, 3, 4].map(NodeID.init))
        #expect(cell?.replicas[NodeID(1)]?.epoch == 1)
        #expect(cell?.isReadyMember(NodeID(1)) == false, "a replica still counting itself a member of an old epoch is not one")
        #expect(cell?.isReadyMember(NodeID(4)) == false && cell?.hasUnrenewedMember == true)
        #expect(cell?.isReadyMember(NodeID(2)) == true)
    }

    @Test("a node's answer becomes a replica summary: no configuration is epoch 0, leader 0 is none, a name no cell may have is dropped")
    func summaryFromTheNode() {
        var stateless = Colony_V1_CellSummary()
        stateless.cell = "a"
        stateless.damaged = true
        stateless.appliedThrough = 4
        #expect(ColonyObserver.summary(stateless, node: NodeID(3)) == ReplicaSummary(
            cell: CellID("a"), epoch: 0, members: [], isMember: false, isDamaged: true, appliedThrough: 4))

        var leading = stateless
        leading.damaged = false
        leading.leader = 3
        leading.configuration.epoch = 5
        leading.configuration.members = [UInt32(3), 1, 2].map { node in
            var member = Colony_V1_Member()
            member.node = node
            return member
        }
        #expect(ColonyObserver.summary(leading, node: NodeID(3)) == ReplicaSummary(
            cell: CellID("a"), epoch: 5, members: [1, 2, 3].map(NodeID.init), isMember: true, isDamaged: false,
            appliedThrough: 4, leader: NodeID(3)))
        #expect(ColonyObserver.summary(leading, node: NodeID(7))?.isMember == false)

        var misnamed = leading
        misnamed.cell = "no spaces allowed"
        #expect(ColonyObserver.summary(misnamed, node: NodeID(3)) == nil)
    }
}
