import ColonyCore

/// What one node sends another over their connection, one frame at a time.
///
/// On the wire a frame is a 10-byte header and a body:
/// - 4 bytes: the magic `CLNY`, so a stray client or a port mix-up is told apart from a peer
///   at once;
/// - 1 byte: the frame format version, the writer's `FormatLevel.peerFrameVersion`;
/// - 1 byte: the kind (`PeerFrameTag`);
/// - 4 bytes: the body's length, little-endian, at most the reader's `frameBytesMax`;
/// - the body, in ColonyWire's canonical encoding.
///
/// A connection starts with one `hello` from the side that opened it; then either side
/// sends `messages` frames, each carrying every cell's messages to that peer since the last
/// frame, `createCell` when a cell gets a replica on the receiving node, `liveness` while
/// it leads quiescent cells with a replica there, and `traceContexts` before the accepts of
/// sampled requests.
public enum PeerFrame: Hashable, Sendable {
    /// Who is calling: the colony's name (nodes of another colony are refused), the sender's
    /// node id, and the peer frame versions its build reads (`FormatLevel.peerFrameVersion`),
    /// so a node learns what a peer reads when it first connects. Written at level 1 by
    /// every build (`FormatLevel.helloRead`).
    case hello(colony: String, node: NodeID, reads: ClosedRange<UInt8>)
    /// A batch of replica messages, for many cells, from the connection's sender, with the
    /// incarnation of the sender's process, so a receiver learns of a restart from the first
    /// frame the restarted node sends it (see `ReplicaHost+Liveness.swift`).
    case messages([PeerMessage], incarnation: UInt64)
    /// Asks the receiver to host a replica of a new cell with this first configuration.
    case createCell(CellID, CellConfiguration)
    /// The sender is up, in the run of its process named `incarnation` (drawn at each start):
    /// the one heartbeat per node pair that keeps quiescent cells quiet (see
    /// `ReplicaHost+Liveness.swift`).
    case liveness(incarnation: UInt64)
    /// The trace contexts of sampled requests whose accepts follow (see `TracedRequest`): read
    /// by the receiving node's shell, never by its replicas.
    case traceContexts([TracedRequest])

    /// The most bytes of fields a later build may add to its hello, after this build's: a
    /// hello is read before its sender is known, so its size stays bounded, and this build
    /// skips them.
    public static let helloLaterFieldsBytesMax = 64
    /// The magic bytes every frame starts with: `CLNY`.
    public static let magic: [UInt8] = Array("CLNY".utf8)
    /// The size of a frame's header.
    public static let headerBytes = 10

    /// The frame's bytes, header included, in the formats of `level` (the frames of every
    /// level known so far differ in their version byte alone).
    public func encoded(level: FormatLevel = .first) -> [UInt8] {
        var frame = ByteWriter(reservingCapacity: estimatedBytes)
        for byte in Self.magic { frame.writeByte(byte) }
        frame.writeByte(level.peerFrameVersion)
        switch self {
        case .hello(let colony, let node, let reads):
            frame.writeTag(PeerFrameTag.hello)
            frame.writeLittleEndian(UInt32(0))
            frame.writeString(colony)
            frame.write(node)
            frame.writeByte(reads.lowerBound)
            frame.writeByte(reads.upperBound)
        case .messages(let messages, let incarnation):
            frame.writeTag(PeerFrameTag.messages)
            frame.writeLittleEndian(UInt32(0))
            frame.writeVarint(incarnation)
            frame.writeList(messages)
        case .createCell(let cell, let configuration):
            frame.writeTag(PeerFrameTag.createCell)
            frame.writeLittleEndian(UInt32(0))
            frame.write(cell)
            frame.write(configuration)
        case .liveness(let incarnation):
            frame.writeTag(PeerFrameTag.liveness)
            frame.writeLittleEndian(UInt32(0))
            frame.writeVarint(incarnation)
        case .traceContexts(let requests):
            frame.writeTag(PeerFrameTag.traceContexts)
            frame.writeLittleEndian(UInt32(0))
            frame.writeList(requests)
        }
        // The body follows the header in the same buffer; its length is known only now.
        frame.overwriteLittleEndian(UInt32(truncatingIfNeeded: frame.bytes.count - Self.headerBytes), at: 6)
        return frame.bytes
    }

    /// Room to reserve for the frame: a guess that spares most encodings a regrowth.
    private var estimatedBytes: Int {
        switch self {
        case .liveness: return Self.headerBytes + 10
        case .hello, .createCell: return 256
        case .messages(let messages, _): return Self.headerBytes + 26 + 96 * messages.count
        case .traceContexts(let requests): return Self.headerBytes + 10 + 128 * requests.count
        }
    }
}
