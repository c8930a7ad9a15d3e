import ColonyCore

// The encodings of the messages between the replicas of one cell: one case per step of
// Colony's multi-Paxos. A node batches many of these, for many cells, into one frame.

extension PeerMessage: WireCodable {
    /// Appends the cell, then the body.
    public func encode(into writer: inout ByteWriter) {
        writer.write(cell)
        writer.write(body)
    }

    /// Reads the cell and the body.
    public init(from reader: inout ByteReader) throws(WireError) {
        let cell = try CellID(from: &reader)
        self.init(cell: cell, body: try PeerMessageBody(from: &reader))
    }
}

extension PeerMessageBody: WireCodable {
    /// Appends the `PeerMessageTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .poll(let ballot, let appliedThrough):
            writer.writeTag(PeerMessageTag.poll)
            writer.write(ballot)
            writer.writeVarint(appliedThrough)
        case .pollReply(let ballot, let granted):
            writer.writeTag(PeerMessageTag.pollReply)
            writer.write(ballot)
            writer.writeBool(granted)
        case .prepare(let ballot, let fromSlot):
            writer.writeTag(PeerMessageTag.prepare)
            writer.write(ballot)
            writer.writeVarint(fromSlot)
        case .promise(let ballot, let appliedThrough, let entries):
            writer.writeTag(PeerMessageTag.promise)
            writer.write(ballot)
            writer.writeVarint(appliedThrough)
            writer.writeList(entries)
        case .accept(let ballot, let slot, let batch, let commit):
            writer.writeTag(PeerMessageTag.accept)
            writer.write(ballot)
            writer.writeVarint(slot)
            writer.writeList(batch)
            writer.writeVarint(commit)
        case .accepted(let ballot, let slot):
            writer.writeTag(PeerMessageTag.accepted)
            writer.write(ballot)
            writer.writeVarint(slot)
        case .reject(let attempted, let promised):
            writer.writeTag(PeerMessageTag.reject)
            writer.write(attempted)
            writer.write(promised)
        case .heartbeat(let ballot, let commit, let round):
            writer.writeTag(PeerMessageTag.heartbeat)
            writer.write(ballot)
            writer.writeVarint(commit)
            writer.writeVarint(round)
        case .heartbeatReply(let ballot, let round, let appliedThrough):
            writer.writeTag(PeerMessageTag.heartbeatReply)
            writer.write(ballot)
            writer.writeVarint(round)
            writer.writeVarint(appliedThrough)
        case .quiesce(let ballot, let commit):
            writer.writeTag(PeerMessageTag.quiesce)
            writer.write(ballot)
            writer.writeVarint(commit)
        case .catchUpRequest(let fromSlot):
            writer.writeTag(PeerMessageTag.catchUpRequest)
            writer.writeVarint(fromSlot)
        case .catchUpEntries(let entries, let commit):
            writer.writeTag(PeerMessageTag.catchUpEntries)
            writer.writeList(entries)
            writer.writeVarint(commit)
        case .snapshot(let state):
            writer.writeTag(PeerMessageTag.snapshot)
            writer.write(state)
        case .staleEpoch(let configuration):
            writer.writeTag(PeerMessageTag.staleEpoch)
            writer.write(configuration)
        case .renewal(let request):
            writer.writeTag(PeerMessageTag.renewal)
            writer.write(request)
        case .takeOver(let ballot):
            writer.writeTag(PeerMessageTag.takeOver)
            writer.write(ballot)
        case .cellDeleted(let tombstone):
            writer.writeTag(PeerMessageTag.cellDeleted)
            writer.write(tombstone)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(PeerMessageTag.self, "PeerMessageBody") {
        case .poll:
            let ballot = try Ballot(from: &reader)
            self = .poll(ballot, appliedThrough: try reader.readCounter("PeerMessageBody.poll.appliedThrough"))
        case .pollReply:
            let ballot = try Ballot(from: &reader)
            self = .pollReply(ballot, granted: try reader.readBool("PeerMessageBody.pollReply.granted"))
        case .prepare:
            let ballot = try Ballot(from: &reader)
            self = .prepare(ballot, fromSlot: try reader.readCounter("PeerMessageBody.prepare.fromSlot"))
        case .promise:
            let ballot = try Ballot(from: &reader)
            let appliedThrough = try reader.readCounter("PeerMessageBody.promise.appliedThrough")
            self = .promise(ballot, appliedThrough: appliedThrough, entries: try reader.readList("PeerMessageBody.promise.entries"))
        case .accept:
            let ballot = try Ballot(from: &reader)
            let slot = try reader.readCounter("PeerMessageBody.accept.slot")
            let batch: Batch = try reader.readList("PeerMessageBody.accept.batch")
            self = .accept(ballot, slot: slot, batch: batch, commit: try reader.readCounter("PeerMessageBody.accept.commit"))
        case .accepted:
            let ballot = try Ballot(from: &reader)
            self = .accepted(ballot, slot: try reader.readCounter("PeerMessageBody.accepted.slot"))
        case .reject:
            let attempted = try Ballot(from: &reader)
            self = .reject(attempted: attempted, promised: try Ballot(from: &reader))
        case .heartbeat:
            let ballot = try Ballot(from: &reader)
            let commit = try reader.readCounter("PeerMessageBody.heartbeat.commit")
            self = .heartbeat(ballot, commit: commit, round: try reader.readCounter("PeerMessageBody.heartbeat.round"))
        case .heartbeatReply:
            let ballot = try Ballot(from: &reader)
            let round = try reader.readCounter("PeerMessageBody.heartbeatReply.round")
            let appliedThrough = try reader.readCounter("PeerMessageBody.heartbeatReply.appliedThrough")
            self = .heartbeatReply(ballot, round: round, appliedThrough: appliedThrough)
        case .quiesce:
            let ballot = try Ballot(from: &reader)
            self = .quiesce(ballot, commit: try reader.readCounter("PeerMessageBody.quiesce.commit"))
        case .catchUpRequest:
            self = .catchUpRequest(fromSlot: try reader.readCounter("PeerMessageBody.catchUpRequest.fromSlot"))
        case .catchUpEntries:
            let entries: [SlotEntry] = try reader.readList("PeerMessageBody.catchUpEntries.entries")
            self = .catchUpEntries(entries, commit: try reader.readCounter("PeerMessageBody.catchUpEntries.commit"))
        case .snapshot:
            self = .snapshot(try CellState(from: &reader))
        case .staleEpoch:
            self = .staleEpoch(try CellConfiguration(from: &reader))
        case .renewal:
            self = .renewal(try RequestID(from: &reader))
        case .takeOver:
            self = .takeOver(try Ballot(from: &reader))
        case .cellDeleted:
            self = .cellDeleted(try CellTombstone(from: &reader))
        }
    }
}
