import ColonyCore

/// A frame's header, read and checked before its body is awaited.
public struct PeerFrameHeader: Hashable, Sendable {
    /// The frame's kind.
    let tag: PeerFrameTag
    /// How many body bytes follow the header.
    public let bodyLength: Int

    /// Reads the first `PeerFrame.headerBytes` of `bytes`, refusing anything that is not a
    /// frame of the format levels `read`, or whose body would exceed `frameBytesMax`.
    public init(_ bytes: [UInt8], frameBytesMax: Int, read: ClosedRange<FormatLevel> = FormatLevel.standardRead) throws(PeerFrameError) {
        try self.init(bytes[...], frameBytesMax: frameBytesMax, read: read)
    }

    /// Reads the first `PeerFrame.headerBytes` of `bytes`; see `init(_:frameBytesMax:read:)`.
    public init(
        _ bytes: ArraySlice<UInt8>, frameBytesMax: Int, read: ClosedRange<FormatLevel> = FormatLevel.standardRead
    ) throws(PeerFrameError) {
        guard bytes.count >= PeerFrame.headerBytes else {
            throw .truncatedHeader(bytes: bytes.count)
        }
        let start = bytes.startIndex
        guard bytes[start] == PeerFrame.magic[0], bytes[start + 1] == PeerFrame.magic[1], bytes[start + 2] == PeerFrame.magic[2],
              bytes[start + 3] == PeerFrame.magic[3]
        else {
            throw .badMagic(Array(bytes[start..<start + 4]))
        }
        guard let level = FormatLevel.ofPeerFrame(bytes[start + 4]), read.contains(level) else {
            throw .unsupportedVersion(bytes[start + 4], read: read.versions(\.peerFrameVersion))
        }
        guard let tag = PeerFrameTag(rawValue: bytes[start + 5]) else {
            throw .unknownKind(bytes[start + 5])
        }
        var length = 0
        for offset in (6..<10).reversed() {
            length = length << 8 | Int(bytes[start + offset])
        }
        guard length <= frameBytesMax else {
            throw .tooLarge(bytes: length, max: frameBytesMax)
        }
        self.tag = tag
        bodyLength = length
    }
}

extension PeerFrame {
    /// Decodes the body that followed `header`; it must be exactly `header.bodyLength` bytes.
    public static func decode(
        _ header: PeerFrameHeader, body: ArraySlice<UInt8>, limits: WireLimits = .standard
    ) throws(PeerFrameError) -> PeerFrame {
        guard body.count == header.bodyLength else {
            throw .bodyLengthMismatch(expected: header.bodyLength, got: body.count)
        }
        var reader = ByteReader(body, limits: limits)
        do throws(WireError) {
            let frame: PeerFrame
            switch header.tag {
            case .hello:
                let colony = try reader.readString("PeerFrame.hello.colony")
                let node = try NodeID(from: &reader)
                let offset = reader.offset
                let low = try reader.readByte("PeerFrame.hello.reads")
                let high = try reader.readByte("PeerFrame.hello.reads")
                guard low >= 1, low <= high else {
                    throw WireError.valueOutOfRange(field: "PeerFrame.hello.reads", offset: offset, reason: "versions \(low) to \(high) are no range of versions")
                }
                frame = .hello(colony: colony, node: node, reads: low...high)
                // Fields a later build adds after these: skipped, so a hello can grow without a
                // new format level (the node's frame decoder bounds a hello's size first).
                while !reader.isAtEnd { _ = try reader.readByte("PeerFrame.hello.laterFields") }
            case .messages:
                let incarnation = try reader.readVarint("PeerFrame.messages.incarnation")
                frame = .messages(try reader.readList("PeerFrame.messages"), incarnation: incarnation)
            case .createCell:
                let cell = try CellID(from: &reader)
                frame = .createCell(cell, try CellConfiguration(from: &reader))
            case .liveness:
                frame = .liveness(incarnation: try reader.readVarint("PeerFrame.liveness.incarnation"))
            case .traceContexts:
                frame = .traceContexts(try reader.readList("PeerFrame.traceContexts"))
            }
            guard reader.isAtEnd else {
                throw WireError.trailingBytes(field: "PeerFrame", offset: reader.offset, count: reader.remainingByteCount)
            }
            return frame
        } catch {
            throw .body(error)
        }
    }
}

/// Why bytes from a peer are not a frame this node accepts. The connection that sent them is
/// closed with this reason logged; the node goes on serving.
public enum PeerFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Fewer bytes than a header were given.
    case truncatedHeader(bytes: Int)
    /// The frame did not start with `CLNY`: the sender is not a Colony node.
    case badMagic([UInt8])
    /// The frame is of a format version this build does not read; `read` names the versions
    /// it reads ("1" or "1-2").
    case unsupportedVersion(UInt8, read: String)
    /// The kind byte names no frame kind.
    case unknownKind(UInt8)
    /// The declared body is larger than this node accepts.
    case tooLarge(bytes: Int, max: Int)
    /// The body handed to the decoder is not as long as the header said.
    case bodyLengthMismatch(expected: Int, got: Int)
    /// The body is not a valid encoding of the frame's contents.
    case body(WireError)
    /// A hello came after the connection's first frame.
    case unexpectedHello

    public var description: String {
        switch self {
        case .truncatedHeader(let bytes):
            return "a frame header is \(PeerFrame.headerBytes) bytes; only \(bytes) were given"
        case .badMagic(let bytes):
            let hex = bytes.map { String($0, radix: 16) }.joined(separator: " ")
            return "not a Colony peer: frames start with \"CLNY\", these bytes start with \(hex)"
        case .unsupportedVersion(let version, let read):
            return "peer frame format version \(version) is not supported (this node reads versions \(read)): the sender writes a format level this build does not read; run a build that reads it (`colony upgrade status` names each node's levels)"
        case .unknownKind(let kind):
            return "unknown peer frame kind \(kind)"
        case .tooLarge(let bytes, let max):
            return "a peer frame of \(bytes) bytes exceeds the limit of \(max) bytes"
        case .bodyLengthMismatch(let expected, let got):
            return "the frame body is \(got) bytes, its header says \(expected)"
        case .body(let error):
            return "malformed frame body: \(error)"
        case .unexpectedHello:
            return "a hello came after the connection's first frame"
        }
    }
}
