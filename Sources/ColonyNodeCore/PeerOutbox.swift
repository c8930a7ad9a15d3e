import ColonyCore
import ColonyWire

/// Replica messages released for peer nodes and not yet taken by the shell, gathered per
/// peer so that every cell's messages to one peer leave in one frame (or a few, when they
/// would exceed the frame limit), however many events produced them.
struct PeerOutbox {
    /// The largest frame body a peer accepts.
    let frameBytesMax: Int
    /// The incarnation of this node's process, which every frame carries.
    let incarnation: UInt64
    private var messages: [NodeID: [PeerMessage]] = [:]

    init(frameBytesMax: Int, incarnation: UInt64) {
        self.frameBytesMax = frameBytesMax
        self.incarnation = incarnation
    }

    /// Queues `batch` for its peer.
    mutating func add(_ batch: PeerBatch) {
        messages[batch.to, default: []].append(contentsOf: batch.messages)
    }

    /// Everything queued as frames of format `level`, peers in ascending order so runs replay
    /// exactly, and the messages too large for any frame, which are dropped.
    mutating func takeFrames(level: FormatLevel) -> (frames: [OutgoingFrame], dropped: [NodeNote]) {
        guard !messages.isEmpty else { return ([], []) }
        var frames: [OutgoingFrame] = []
        var dropped: [NodeNote] = []
        for peer in messages.keys.sorted() {
            guard let queued = messages[peer] else { continue }
            encode(queued[...], to: peer, level: level, into: &frames, dropping: &dropped)
        }
        messages.removeAll(keepingCapacity: true)
        return (frames, dropped)
    }

    /// Encodes `queued` as one frame, or splits it in halves until each half fits; a single
    /// message too big for any frame is dropped and noted.
    private func encode(
        _ queued: ArraySlice<PeerMessage>, to peer: NodeID, level: FormatLevel, into frames: inout [OutgoingFrame],
        dropping dropped: inout [NodeNote]
    ) {
        let bytes = PeerFrame.messages(Array(queued), incarnation: incarnation).encoded(level: level)
        if bytes.count - PeerFrame.headerBytes <= frameBytesMax {
            frames.append(OutgoingFrame(to: peer, bytes: bytes, messageCount: queued.count, isControl: false))
            return
        }
        guard queued.count > 1 else {
            if let message = queued.first {
                dropped.append(.oversizeMessageDropped(message.cell, to: peer, bytes: bytes.count, frameBytesMax: frameBytesMax))
            }
            return
        }
        let middle = queued.startIndex + queued.count / 2
        encode(queued[..<middle], to: peer, level: level, into: &frames, dropping: &dropped)
        encode(queued[middle...], to: peer, level: level, into: &frames, dropping: &dropped)
    }
}
