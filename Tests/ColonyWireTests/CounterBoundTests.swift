import ColonyCore
import ColonyWire
import Testing

/// A cell counter (epoch, ballot round, slot, revision) above `CounterBounds.decodedMax` is
/// refused at decode, so no arithmetic on what a node was sent or stored can overflow.
@Suite("absurd counters are refused at decode")
struct CounterBoundTests {
    @Test("a ballot round or epoch above the bound is refused, naming the field; at the bound it decodes")
    func ballotBounds() {
        let over = CounterBounds.decodedMax + 1
        let round = Ballot(epoch: 1, round: over, node: NodeID(2))
        #expect(decodingError(Ballot.self, encoded(round))?.field == "Ballot.round")
        #expect(decodingError(Ballot.self, encoded(Ballot(epoch: .max, round: 1, node: NodeID(2))))?.field == "Ballot.epoch")
        let atBound = Ballot(epoch: CounterBounds.decodedMax, round: CounterBounds.decodedMax, node: NodeID(2))
        #expect(decodingError(Ballot.self, encoded(atBound)) == nil)
    }

    @Test("a prepare of round UInt64.max and a promise record of it are refused")
    func hostilePrepare() {
        let ballot = Ballot(epoch: 1, round: .max, node: NodeID(2))
        let message = PeerMessage(cell: CellID("c"), body: .prepare(ballot, fromSlot: 1))
        #expect(decodingError(PeerMessage.self, encoded(message))?.field == "Ballot.round")
        #expect(decodingError(DurableRecord.self, encoded(DurableRecord.promise(ballot)))?.field == "Ballot.round")
    }

    @Test("slots, commits and heartbeat rounds above the bound are refused")
    func slotBounds() {
        let ballot = Ballot(epoch: 1, round: 1, node: NodeID(2))
        let over = CounterBounds.decodedMax + 1
        let bodies: [(PeerMessageBody, String)] = [
            (.accepted(ballot, slot: over), "PeerMessageBody.accepted.slot"),
            (.heartbeat(ballot, commit: over, round: 1), "PeerMessageBody.heartbeat.commit"),
            (.heartbeat(ballot, commit: 1, round: over), "PeerMessageBody.heartbeat.round"),
            (.catchUpRequest(fromSlot: .max), "PeerMessageBody.catchUpRequest.fromSlot"),
        ]
        for (body, field) in bodies {
            #expect(decodingError(PeerMessageBody.self, encoded(body))?.field == field)
        }
    }

    func encoded(_ value: some WireEncodable) -> [UInt8] {
        WireCodec.encode(value)
    }
}
