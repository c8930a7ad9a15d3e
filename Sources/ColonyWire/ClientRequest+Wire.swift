import ColonyCore

// The encodings of the conversation between a client and a cell: requests, replies, and
// what became of a request.

extension ReadConsistency: WireCodable {
    /// Appends the `ReadConsistencyTag`.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .linearizable: writer.writeTag(ReadConsistencyTag.linearizable)
        case .stale: writer.writeTag(ReadConsistencyTag.stale)
        }
    }

    /// Reads the tag.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(ReadConsistencyTag.self, "ReadConsistency") {
        case .linearizable: self = .linearizable
        case .stale: self = .stale
        }
    }
}

extension ClientRequest: WireCodable {
    /// Appends id, cell, operation, consistency, the optional expected epoch and whether the
    /// request opens a session.
    public func encode(into writer: inout ByteWriter) {
        writer.write(id)
        writer.write(cell)
        writer.write(operation)
        writer.write(consistency)
        writer.writeOptionalVarint(expectedEpoch)
        writer.writeBool(opensSession)
    }

    /// Reads the fields in the order they are written.
    public init(from reader: inout ByteReader) throws(WireError) {
        let id = try RequestID(from: &reader)
        let cell = try CellID(from: &reader)
        let operation = try CellOperation(from: &reader)
        let consistency = try ReadConsistency(from: &reader)
        let expectedEpoch = try reader.readOptionalVarint("ClientRequest.expectedEpoch")
        let opensSession = try reader.readBool("ClientRequest.opensSession")
        self.init(
            id: id, cell: cell, operation: operation, consistency: consistency,
            expectedEpoch: expectedEpoch, opensSession: opensSession
        )
    }
}

extension ClientReply: WireCodable {
    /// Appends id, cell and outcome.
    public func encode(into writer: inout ByteWriter) {
        writer.write(id)
        writer.write(cell)
        writer.write(outcome)
    }

    /// Reads id, cell and outcome.
    public init(from reader: inout ByteReader) throws(WireError) {
        let id = try RequestID(from: &reader)
        let cell = try CellID(from: &reader)
        self.init(id: id, cell: cell, outcome: try ClientOutcome(from: &reader))
    }
}

extension ClientOutcome: WireCodable {
    /// Appends the `ClientOutcomeTag` and the case's values in order.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .completed(let result):
            writer.writeTag(ClientOutcomeTag.completed)
            writer.write(result)
        case .rejected(let error):
            writer.writeTag(ClientOutcomeTag.rejected)
            writer.write(error)
        case .redirect(let leader, let configuration):
            writer.writeTag(ClientOutcomeTag.redirect)
            writer.write(leader)
            writer.write(configuration)
        case .staleEpoch(let configuration):
            writer.writeTag(ClientOutcomeTag.staleEpoch)
            writer.write(configuration)
        case .unavailable(let reason):
            writer.writeTag(ClientOutcomeTag.unavailable)
            writer.write(reason)
        case .sessionExpired:
            writer.writeTag(ClientOutcomeTag.sessionExpired)
        }
    }

    /// Reads the tag and the case's values.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(ClientOutcomeTag.self, "ClientOutcome") {
        case .completed:
            self = .completed(try Result<OperationResult, OperationError>(from: &reader))
        case .rejected:
            self = .rejected(try OperationError(from: &reader))
        case .redirect:
            let leader = try NodeID?(from: &reader)
            self = .redirect(leader: leader, configuration: try CellConfiguration?(from: &reader))
        case .staleEpoch:
            self = .staleEpoch(try CellConfiguration(from: &reader))
        case .unavailable:
            self = .unavailable(try UnavailableReason(from: &reader))
        case .sessionExpired:
            self = .sessionExpired
        }
    }
}

extension UnavailableReason: WireCodable {
    /// Appends the `UnavailableReasonTag`.
    public func encode(into writer: inout ByteWriter) {
        switch self {
        case .catchingUp: writer.writeTag(UnavailableReasonTag.catchingUp)
        case .overloaded: writer.writeTag(UnavailableReasonTag.overloaded)
        case .reconfiguring: writer.writeTag(UnavailableReasonTag.reconfiguring)
        case .leadershipLost: writer.writeTag(UnavailableReasonTag.leadershipLost)
        case .superseded: writer.writeTag(UnavailableReasonTag.superseded)
        }
    }

    /// Reads the tag.
    public init(from reader: inout ByteReader) throws(WireError) {
        switch try reader.readTag(UnavailableReasonTag.self, "UnavailableReason") {
        case .catchingUp: self = .catchingUp
        case .overloaded: self = .overloaded
        case .reconfiguring: self = .reconfiguring
        case .leadershipLost: self = .leadershipLost
        case .superseded: self = .superseded
        }
    }
}
