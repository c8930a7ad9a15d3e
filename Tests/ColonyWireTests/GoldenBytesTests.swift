import ColonyCore
import ColonyWire
import Testing

/// These bytes are on disk in every write-ahead log. If one of these tests fails, the format
/// changed: old logs would no longer read. Change the format only with a new tag or a new
/// record version, never by editing the expected bytes here.
@Suite("the encoding is pinned byte for byte")
struct GoldenBytesTests {
    @Test("a ballot is three varints: epoch, round, node")
    func ballot() {
        #expect(WireCodec.encode(Ballot(epoch: 1, round: 300, node: NodeID(7))) == [0x01, 0xAC, 0x02, 0x07])
    }

    @Test("a put is its tag, the key as a string and the value as a byte string")
    func put() {
        #expect(WireCodec.encode(CellOperation.put("k", [0xFF])) == [0x03, 0x01, 0x6B, 0x01, 0xFF])
    }

    @Test("signed numbers are zigzag varints")
    func increment() {
        #expect(WireCodec.encode(CellOperation.increment("k", by: -1)) == [0x06, 0x01, 0x6B, 0x01])
        #expect(WireCodec.encode(CellOperation.increment("k", by: 1)) == [0x06, 0x01, 0x6B, 0x02])
        #expect(WireCodec.encode(CellOperation.list(prefix: "", limit: -64)) == [0x02, 0x00, 0x7F])
    }

    @Test("a client request: fixed little-endian client, varint sequence, cell, operation, options")
    func clientRequest() {
        let request = ClientRequest(
            id: RequestID(client: ClientID(0x0102_0304_0506_0708), sequence: 1), cell: CellID("c"),
            operation: .get("k"), consistency: .stale, expectedEpoch: 2, opensSession: true
        )
        #expect(WireCodec.encode(request) == [
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x01,  // id
            0x01, 0x63,  // cell "c"
            0x01, 0x01, 0x6B,  // get "k"
            0x02,  // stale
            0x01, 0x02,  // expected epoch 2
            0x01,  // opens a session
        ])
    }

    @Test("durable records start with their tag")
    func durableRecords() {
        #expect(WireCodec.encode(DurableRecord.healed) == [0x05])
        #expect(WireCodec.encode(DurableRecord.promise(Ballot(epoch: 2, round: 3, node: NodeID(4)))) == [0x01, 0x02, 0x03, 0x04])
        #expect(WireCodec.encode(DurableRecord.forcedHeal(floor: Ballot(epoch: 2, round: 3, node: NodeID(4)))) == [0x07, 0x02, 0x03, 0x04])
        let accepted = DurableRecord.accepted(
            slot: 9, entry: LogEntry(ballot: Ballot(epoch: 1, round: 1, node: NodeID(1)), batch: [.noop], isChosen: true)
        )
        #expect(WireCodec.encode(accepted) == [0x02, 0x09, 0x01, 0x01, 0x01, 0x01, 0x02, 0x01])
    }

    @Test("a peer message is its cell, then the body's tag and values")
    func peerMessage() {
        let message = PeerMessage(cell: CellID("c"), body: .accepted(Ballot(epoch: 1, round: 1, node: NodeID(1)), slot: 9))
        #expect(WireCodec.encode(message) == [0x01, 0x63, 0x06, 0x01, 0x01, 0x01, 0x09])
        #expect(WireCodec.encode(PeerMessage(cell: CellID("c"), body: .renewal(RequestID(client: ClientID(1), sequence: 2)))) == [
            0x01, 0x63, 0x0E, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        ])
        #expect(WireCodec.encode(PeerMessage(cell: CellID("c"), body: .takeOver(Ballot(epoch: 2, round: 3, node: NodeID(4))))) == [
            0x01, 0x63, 0x0F, 0x02, 0x03, 0x04,
        ])
    }

    @Test("a failed result is tag 2 then the error")
    func failure() {
        #expect(WireCodec.encode(ClientOutcome.completed(.failure(.emptyKey))) == [0x01, 0x02, 0x01])
        #expect(WireCodec.encode(ClientOutcome.redirect(leader: NodeID(5), configuration: nil)) == [0x03, 0x01, 0x05, 0x00])
    }

    @Test("a configuration is epoch, ascending members, start slot and six zigzag limits")
    func configuration() throws {
        let limits = CellLimits(
            keyBytesMax: 256, valueBytesMax: 16_384, keysMax: 1_000, cellBytesMax: 1_048_576, transactionStepsMax: 64, sessionsMax: 1_024
        )
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(3), NodeID(1), NodeID(2)], startSlot: 1, limits: limits)
        #expect(WireCodec.encode(configuration) == [
            0x01,  // epoch
            0x03, 0x01, 0x02, 0x03,  // members
            0x01,  // start slot
            0x80, 0x04,  // 256
            0x80, 0x80, 0x02,  // 16 KiB
            0xD0, 0x0F,  // 1000
            0x80, 0x80, 0x80, 0x01,  // 1 MiB
            0x80, 0x01,  // 64
            0x80, 0x10,  // 1024
        ])
    }
}
