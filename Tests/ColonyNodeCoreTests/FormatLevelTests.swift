@_spi(Testing) import ColonyCore
import ColonyNodeCore
import ColonyWire
import Testing

/// The format level a node core writes its peer frames in, and the levels it reads.
@Suite("the node core's format levels")
struct FormatLevelTests {
    static let configuration = { () -> CellConfiguration in
        do {
            return try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        } catch {
            preconditionFailure("three members make a configuration")
        }
    }()

    /// A rehearsal build's core creating cell `name`: the version byte of each frame it sends.
    static func versions(of core: inout NodeCore, creating name: String) -> Set<UInt8> {
        _ = core.createCell(CellID(name), configuration: configuration)
        return Set(core.takeEffects().frames.map { $0.bytes[4] })
    }

    @Test("a core writes level 1 until raised to a level it reads, then that level; never a level it does not read, never lower")
    func raisedOnlyWithinWhatItReads() {
        var rehearsal = NodeCore(node: NodeID(1), options: ReplicaOptions(), frameBytesMax: 1 << 20, formatsRead: FormatLevel.rehearsalRead, seed: 1)
        #expect(Self.versions(of: &rehearsal, creating: "a") == [1])
        let raised = rehearsal.raiseFormat(to: .rehearsal)
        #expect(raised)
        #expect(Self.versions(of: &rehearsal, creating: "b") == [2])
        let lowered = rehearsal.raiseFormat(to: .first)
        #expect(!lowered, "a level is never lowered")
        #expect(rehearsal.formatWritten == .rehearsal)

        var standard = NodeCore(node: NodeID(1), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let unread = standard.raiseFormat(to: .rehearsal)
        #expect(!unread, "a level the build does not read is never written")
        #expect(Self.versions(of: &standard, creating: "a") == [1])
    }

    @Test("a core that reads level 1 alone refuses a level-2 frame, naming the versions it reads; a rehearsal core takes it")
    func frameOfAnUnreadLevelRefused() {
        let frame = PeerFrame.liveness(incarnation: 9).encoded(level: .rehearsal)[...]
        var standard = NodeCore(node: NodeID(1), options: ReplicaOptions(), frameBytesMax: 1 << 20, seed: 1)
        let refusal = standard.receive(frame: frame, from: NodeID(2))
        #expect(refusal == .unsupportedVersion(2, read: "1"))
        #expect(refusal?.description.contains("reads versions 1") == true, "\(String(describing: refusal))")
        var rehearsal = NodeCore(node: NodeID(1), options: ReplicaOptions(), frameBytesMax: 1 << 20, formatsRead: FormatLevel.rehearsalRead, seed: 1)
        let taken = rehearsal.receive(frame: frame, from: NodeID(2))
        #expect(taken == nil)
        let levelOne = rehearsal.receive(frame: PeerFrame.liveness(incarnation: 9).encoded()[...], from: NodeID(2))
        #expect(levelOne == nil, "level 1 is read too")
    }
}
