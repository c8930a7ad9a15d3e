import ColonyCore

/// What one node sends another over their connection, one frame at a time.
///
/// On the wire a frame is a 10-byte header and a body:
/// - 4 bytes: the magic `CLNY`, so a stray client or a port mix-up is told apart from a peer
///   at once;
/// - 1 byte: the frame format version, `PeerFrame.version`;
/// - 1 byte: the kind (`PeerFrameTag`);
/// - 4 bytes: the body's length, little-endian, at most the reader's `frameBytesMax`;
/// - the body, in ColonyWire's canonical encoding.
///
/// A connection starts with one `hello` from the side that opened it; then either side
/// sends `messages` frames, each carrying every cell's messages to that peer since the last
/// frame, and `createCell` when a cell gets a replica on the receiving node.
public enum PeerFrame: Hashable, Sendable {
    /// Who is calling: the colony's name (nodes of another colony are refused) and the
    /// sender's node id.
    case hello(colony: String, node: NodeID)
    /// A batch of replica messages, for many cells, from the connection's sender.
    case messages([PeerMessage])
    /// Asks the receiver to host a replica of a new cell with this first configuration.
    case createCell(CellID, CellConfiguration)

    /// The frame format this build writes and reads.
    public static let version: UInt8 = 1
    /// The magic bytes every frame starts with: `CLNY`.
    public static let magic: [UInt8] = Array("CLNY".utf8)
    /// The size of a frame's header.
    public static let headerBytes = 10

    /// The frame's bytes, header included.
    public func encoded() -> [UInt8] {
        var body = ByteWriter()
        let tag: PeerFrameTag
        switch self {
        case .hello(let colony, let node):
            tag = .hello
            body.writeString(colony)
            body.write(node)
        case .messages(let messages):
            tag = .messages
            body.writeList(messages)
        case .createCell(let cell, let configuration):
            tag = .createCell
            body.write(cell)
            body.write(configuration)
        }
        var frame = ByteWriter(reservingCapacity: Self.headerBytes + body.bytes.count)
        for byte in Self.magic { frame.writeByte(byte) }
        frame.writeByte(Self.version)
        frame.writeTag(tag)
        frame.writeLittleEndian(UInt32(body.bytes.count))
        return frame.bytes + body.bytes
    }
}
