import ColonyWire

extension FuzzTarget {
    /// The largest frame body the target reads: a node's default `frameBytesMax`.
    static let peerFrameBytesMax = 16 * 1024 * 1024

    /// Peer frames as a node reads them off a connection: the header, then the body it
    /// announced. A decoded frame must encode back to a frame that decodes to itself.
    public static func peerFrame(_ traffic: SimulatedTraffic) -> FuzzTarget {
        FuzzTarget(
            name: "peer-frame", summary: "peer frames (header and body) as a node reads them from a peer",
            corpus: traffic.frames, decode: decodePeerFrame)
    }

    @Sendable static func decodePeerFrame(_ bytes: [UInt8]) -> FuzzOutcome {
        let frame: PeerFrame
        do throws(PeerFrameError) {
            let header = try PeerFrameHeader(bytes, frameBytesMax: peerFrameBytesMax)
            guard header.bodyLength >= 0, header.bodyLength <= peerFrameBytesMax else {
                return .violated("the header announces \(header.bodyLength) body bytes, outside 0...\(peerFrameBytesMax)")
            }
            // A node awaits exactly the announced body; the input's other bytes are the next frame's.
            let body = bytes.dropFirst(PeerFrame.headerBytes).prefix(header.bodyLength)
            frame = try PeerFrame.decode(header, body: body)
        } catch {
            return .refused
        }
        let again = frame.encoded()
        guard let header = try? PeerFrameHeader(again, frameBytesMax: peerFrameBytesMax),
              let decoded = try? PeerFrame.decode(header, body: again.dropFirst(PeerFrame.headerBytes))
        else {
            return .violated("a decoded frame encodes to bytes that do not decode")
        }
        return decoded == frame ? .decoded : .violated("a decoded frame does not survive a round trip")
    }
}
