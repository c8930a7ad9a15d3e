import ColonyCore
import ColonyWire
import Testing

@Suite("peer frames: what nodes send each other")
struct PeerFrameTests {
    static let frameBytesMax = 1 << 20

    /// Reads one whole frame from `bytes`, as a node's connection does.
    func read(_ bytes: [UInt8]) throws(PeerFrameError) -> PeerFrame {
        let header = try PeerFrameHeader(bytes, frameBytesMax: Self.frameBytesMax)
        return try PeerFrame.decode(header, body: bytes[PeerFrame.headerBytes...])
    }

    @Test("every kind of frame comes back from its bytes unchanged")
    func roundTrip() throws {
        var random = RandomValues(seed: 11)
        for _ in 0..<300 {
            let frames: [PeerFrame] = [
                .hello(colony: "colony-\(random.below(100))", node: random.nodeID(), reads: 1...UInt8(1 + random.below(3))),
                .messages(random.list(upTo: 20) { $0.peerMessage() }, incarnation: random.number()),
                .liveness(incarnation: random.number()),
                .createCell(random.cellID(), random.configuration()),
                .traceContexts(random.list(upTo: 5) { $0.tracedRequest() }),
            ]
            for frame in frames {
                #expect(try read(frame.encoded()) == frame)
            }
        }
    }

    @Test("the header is pinned: magic, version, kind, little-endian length")
    func headerBytes() {
        let bytes = PeerFrame.hello(colony: "c", node: NodeID(5), reads: 1...1).encoded()
        #expect(bytes == [0x43, 0x4C, 0x4E, 0x59, 1, 1, 5, 0, 0, 0, 1, 0x63, 5, 1, 1])
    }

    @Test("a hello carries the peer frame versions its sender reads, and later fields are skipped; an empty or zero range is refused")
    func helloVersions() throws {
        let bytes = PeerFrame.hello(colony: "c", node: NodeID(5), reads: 1...2).encoded()
        let header = try PeerFrameHeader(bytes, frameBytesMax: 64)
        #expect(try PeerFrame.decode(header, body: bytes.dropFirst(PeerFrame.headerBytes)) == .hello(colony: "c", node: NodeID(5), reads: 1...2))
        var later = bytes + [7, 7, 7]
        later[6] += 3
        let laterHeader = try PeerFrameHeader(later, frameBytesMax: 64)
        #expect(try PeerFrame.decode(laterHeader, body: later.dropFirst(PeerFrame.headerBytes)) == .hello(colony: "c", node: NodeID(5), reads: 1...2))
        for (low, high) in [(UInt8(0), UInt8(1)), (2, 1)] {
            var bad = bytes
            bad[bad.count - 2] = low
            bad[bad.count - 1] = high
            #expect(throws: PeerFrameError.self) { try PeerFrame.decode(header, body: bad.dropFirst(PeerFrame.headerBytes)) }
        }
    }

    @Test("a frame that is not ours, of another version, of an unknown kind or too long is refused before its body")
    func badHeaders() {
        let good = PeerFrame.hello(colony: "c", node: NodeID(5), reads: 1...1).encoded()
        let http = Array("GET / HTTP/1.1\r\n".utf8)
        #expect(throws: PeerFrameError.badMagic(Array("GET ".utf8))) { try read(http) }
        var bytes = good
        bytes[4] = 9
        #expect(throws: PeerFrameError.unsupportedVersion(9, read: "1")) { try read(bytes) }
        bytes = good
        bytes[5] = 0xEE
        #expect(throws: PeerFrameError.unknownKind(0xEE)) { try read(bytes) }
        bytes = good
        bytes[6...9] = [0xFF, 0xFF, 0xFF, 0x7F]
        #expect(throws: PeerFrameError.tooLarge(bytes: 0x7FFF_FFFF, max: Self.frameBytesMax)) {
            try PeerFrameHeader(bytes, frameBytesMax: Self.frameBytesMax)
        }
        #expect(throws: PeerFrameError.truncatedHeader(bytes: 3)) { try read([0x43, 0x4C, 0x4E]) }
    }

    @Test("every strict prefix of a body, and random bodies, are refused with a reason, never a trap")
    func garbageBodies() throws {
        var random = RandomValues(seed: 12)
        let frame = PeerFrame.messages(random.list(upTo: 8) { $0.peerMessage() } + [random.peerMessage()], incarnation: 7).encoded()
        let body = Array(frame[PeerFrame.headerBytes...])
        for cut in 0..<body.count {
            var header = Array(frame[..<PeerFrame.headerBytes])
            header[6...9] = ArraySlice(withUnsafeBytes(of: UInt32(cut).littleEndian, Array.init))
            let parsed = try PeerFrameHeader(header, frameBytesMax: Self.frameBytesMax)
            #expect(throws: PeerFrameError.self) { try PeerFrame.decode(parsed, body: body[..<cut]) }
        }
        for _ in 0..<2_000 {
            let noise = (0..<random.below(200)).map { _ in UInt8(truncatingIfNeeded: random.number()) }
            for tag: UInt8 in 1...5 {
                var bytes = PeerFrame.magic + [FormatLevel.first.peerFrameVersion, tag]
                bytes += withUnsafeBytes(of: UInt32(noise.count).littleEndian, Array.init)
                bytes += noise
                _ = try? read(bytes)
            }
        }
    }

    @Test("a trace context is exactly a well-formed traceparent: a longer, shorter or malformed one refuses the frame")
    func traceContexts() throws {
        let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let cell = CellID("traced")
        let request = RequestID(client: ClientID(9), sequence: 3)
        let traced = try #require(TracedRequest(cell: cell, request: request, traceParent: valid))
        #expect(try read(PeerFrame.traceContexts([traced]).encoded()) == .traceContexts([traced]))
        #expect(TracedRequest(cell: cell, request: request, traceParent: valid + "0") == nil)
        for bad in [valid + "0", String(valid.dropLast()), valid.uppercased(), String(repeating: "0", count: 55), String(repeating: "x", count: 1_000)] {
            // The encoding a hostile peer could send: the same fields, any string.
            var body = ByteWriter()
            body.writeVarint(1)
            body.write(cell)
            body.write(request)
            body.writeString(bad)
            var bytes = PeerFrame.magic + [FormatLevel.first.peerFrameVersion, 5]
            bytes += withUnsafeBytes(of: UInt32(body.bytes.count).littleEndian, Array.init)
            bytes += body.bytes
            #expect(throws: PeerFrameError.self, "\(bad.prefix(60)) was read") { try read(bytes) }
        }
        var huge = ByteWriter()
        huge.writeVarint(1)
        huge.write(cell)
        huge.write(request)
        huge.writeVarint(UInt64(1) << 40)
        var bytes = PeerFrame.magic + [FormatLevel.first.peerFrameVersion, 5]
        bytes += withUnsafeBytes(of: UInt32(huge.bytes.count).littleEndian, Array.init)
        bytes += huge.bytes
        #expect(throws: PeerFrameError.self) { try read(bytes) }
    }
}
