import ColonyCore
import ColonyWire
import Testing

/// No input, however malformed, may crash a decoder or make it hang: it decodes to the one
/// value whose encoding it is, or it throws a `WireError`.
@Suite("malformed input is refused, never trusted")
struct MalformedInputTests {
    func complexEncodings() throws -> [(name: String, bytes: [UInt8], decodes: ([UInt8]) -> WireError?)] {
        let state = try sampleCellState()
        let ballot = Ballot(epoch: 4, round: 2, node: NodeID(3))
        let batch: Batch = [
            .noop,
            .client(ClientCommand(id: RequestID(client: ClientID(9), sequence: 3), operation: .transaction(Transaction(
                conditions: [.versionEquals("a", 3), .exists("b", false)], success: [.put("b", [1]), .increment("c", by: -5)],
                failure: [.get("a")]
            )), opensSession: true)),
        ]
        let snapshot = PeerMessage(cell: CellID("vol-0a12"), body: .snapshot(state))
        let accepted = DurableRecord.accepted(slot: 43, entry: LogEntry(ballot: ballot, batch: batch, isChosen: false))
        let reply = ClientReply(
            id: RequestID(client: ClientID(9), sequence: 3), cell: CellID("vol-0a12"),
            outcome: .completed(.success(.membershipChanged(state.configuration)))
        )
        let durable = DurableCellState(
            promised: ballot, snapshot: state, entries: [43: LogEntry(ballot: ballot, batch: batch, isChosen: true)],
            damagedRenewal: RequestID(client: ClientID(1), sequence: 1), tombstone: nil
        )
        return [
            ("a snapshot message", WireCodec.encode(snapshot), { decodingError(PeerMessage.self, $0) }),
            ("an accepted record", WireCodec.encode(accepted), { decodingError(DurableRecord.self, $0) }),
            ("a client reply", WireCodec.encode(reply), { decodingError(ClientReply.self, $0) }),
            ("a durable state", WireCodec.encode(durable), { decodingError(DurableCellState.self, $0) }),
        ]
    }

    @Test("every truncation of a complex value's encoding is refused as truncated")
    func truncations() throws {
        for sample in try complexEncodings() {
            #expect(sample.decodes(sample.bytes) == nil, "\(sample.name) should decode whole")
            for length in 0..<sample.bytes.count {
                let error = sample.decodes(Array(sample.bytes.prefix(length)))
                guard case .truncated = error else {
                    Issue.record("\(sample.name) cut to \(length) bytes gave \(String(describing: error))")
                    continue
                }
            }
        }
    }

    /// Decoders of every top-level value the log and the network carry.
    let decoders: [([UInt8]) -> Bool] = [
        { expectCanonicalOrRefused(PeerMessage.self, $0) },
        { expectCanonicalOrRefused(DurableRecord.self, $0) },
        { expectCanonicalOrRefused(CellRecord.self, $0) },
        { expectCanonicalOrRefused(ClientRequest.self, $0) },
        { expectCanonicalOrRefused(ClientReply.self, $0) },
        { expectCanonicalOrRefused(CellState.self, $0) },
        { expectCanonicalOrRefused(DurableCellState.self, $0) },
        { expectCanonicalOrRefused(CellOperation.self, $0) },
    ]

    /// A byte that is often a small tag, count or boolean, sometimes anything.
    func randomByte(_ random: inout RandomValues) -> UInt8 {
        random.below(2) == 0 ? UInt8(random.below(16)) : random.pick([0x7F, 0x80, 0xFF, UInt8(truncatingIfNeeded: random.below(256))])
    }

    @Test("random byte strings decode to the value they encode or are refused")
    func randomBytes() {
        var random = RandomValues(seed: 10)
        var decoded = 0
        for _ in 0..<4_000 {
            let input = (0..<random.below(48)).map { _ in randomByte(&random) }
            for decode in decoders where decode(input) {
                decoded += 1
            }
        }
        #expect(decoded > 0, "some random inputs should happen to be valid")
    }

    @Test("single-byte mutations of valid encodings decode canonically or are refused")
    func mutations() {
        var random = RandomValues(seed: 11)
        for _ in 0..<1_500 {
            let samples: [(bytes: [UInt8], decode: ([UInt8]) -> Bool)] = [
                (WireCodec.encode(random.peerMessage()), { expectCanonicalOrRefused(PeerMessage.self, $0) }),
                (WireCodec.encode(random.durableRecord()), { expectCanonicalOrRefused(DurableRecord.self, $0) }),
                (WireCodec.encode(random.clientRequest()), { expectCanonicalOrRefused(ClientRequest.self, $0) }),
                (WireCodec.encode(random.clientReply()), { expectCanonicalOrRefused(ClientReply.self, $0) }),
            ]
            for sample in samples {
                var mutated = sample.bytes
                mutated[random.below(mutated.count)] = randomByte(&random)
                _ = sample.decode(mutated)
            }
        }
    }

    @Test("valid encodings with a random tail are refused or decode canonically")
    func randomTails() {
        var random = RandomValues(seed: 12)
        for _ in 0..<1_500 {
            let original = WireCodec.encode(random.peerMessage())
            let kept = random.below(original.count + 1)
            let tail = (0..<random.below(24)).map { _ in randomByte(&random) }
            expectCanonicalOrRefused(PeerMessage.self, Array(original.prefix(kept)) + tail)
        }
    }
}
