import ColonyCore
import ColonyWire

extension RandomValues {
    mutating func command() -> Command {
        below(5) == 0 ? .noop : .client(clientCommand())
    }

    mutating func clientCommand() -> ClientCommand {
        ClientCommand(id: requestID(), operation: operation(), opensSession: bool())
    }

    mutating func logEntry() -> LogEntry {
        LogEntry(ballot: ballot(), batch: list(upTo: 3) { $0.command() }, isChosen: bool())
    }

    mutating func slotEntry() -> SlotEntry {
        SlotEntry(slot: counter(), entry: logEntry())
    }

    /// A store whose keys are distinct and ascending, with versions from 1 to its revision.
    mutating func store() -> CellStore {
        let keys = Set(list(upTo: 6) { $0.key() }).sorted()
        let revision = max(UInt64(keys.count), counter())
        let items = keys.map { KeyValue(key: $0, value: bytes(), version: 1 + number() % max(revision, 1)) }
        do {
            return try CellStore(revision: revision, items: items)
        } catch {
            preconditionFailure("the generator made an invalid store: \(error)")
        }
    }

    mutating func sessions() -> ClientSessions {
        var clients: Set<ClientID> = []
        for _ in 0..<below(4) {
            clients.insert(clientID())
        }
        let records = clients.sorted().map {
            ClientSessionRecord(client: $0, lastSequence: number(), lastResult: result(), lastSlot: counter())
        }
        do {
            return try ClientSessions(records: records)
        } catch {
            preconditionFailure("the generator made invalid sessions: \(error)")
        }
    }

    mutating func cellState() -> CellState {
        var configuration = configuration()
        // The state must fit its own limits; random limits may be tiny.
        configuration.limits = CellLimits()
        let appliedThrough = min(configuration.startSlot - 1 + counter() % 1_000, UInt64.max - 1)
        do {
            return try CellState(configuration: configuration, store: store(), sessions: sessions(), appliedThrough: appliedThrough)
        } catch {
            preconditionFailure("the generator made an invalid cell state: \(error)")
        }
    }

    mutating func durableRecord() -> DurableRecord {
        switch below(7) {
        case 0: return .promise(ballot())
        case 1: return .accepted(slot: counter(), entry: logEntry())
        case 2: return .snapshot(cellState())
        case 3: return .damaged(renewal: requestID())
        case 4: return .deleted(tombstone())
        case 5: return .forcedHeal(floor: ballot())
        default: return .healed
        }
    }

    /// A tombstone whose slot lies within its configuration's epoch.
    mutating func tombstone() -> CellTombstone {
        let configuration = configuration()
        return CellTombstone(configuration: configuration, slot: configuration.startSlot + UInt64(below(1_000)), revision: counter())
    }

    /// A durable state whose entries all follow its snapshot, as the fold of records leaves
    /// them; now and then the state of a deleted cell, which keeps only its tombstone.
    mutating func durableCellState() -> DurableCellState {
        if below(5) == 0 {
            var deleted = DurableCellState()
            deleted.apply(.deleted(tombstone()))
            return deleted
        }
        let snapshot = bool() ? cellState() : nil
        let firstSlot = snapshot.map { $0.appliedThrough + 1 } ?? 0
        var entries: [Slot: LogEntry] = [:]
        for _ in 0..<below(4) {
            entries[max(counter(), firstSlot)] = logEntry()
        }
        return DurableCellState(
            promised: ballot(), snapshot: snapshot, entries: entries, damagedRenewal: bool() ? requestID() : nil, tombstone: nil)
    }

    mutating func peerMessageBody() -> PeerMessageBody {
        switch below(16) {
        case 0: return .poll(ballot(), appliedThrough: counter())
        case 1: return .pollReply(ballot(), granted: bool())
        case 2: return .prepare(ballot(), fromSlot: counter())
        case 3: return .promise(ballot(), appliedThrough: counter(), entries: list(upTo: 3) { $0.slotEntry() })
        case 4: return .accept(ballot(), slot: counter(), batch: list(upTo: 3) { $0.command() }, commit: counter())
        case 5: return .accepted(ballot(), slot: counter())
        case 6: return .reject(attempted: ballot(), promised: ballot())
        case 7: return .heartbeat(ballot(), commit: counter(), round: counter())
        case 8: return .heartbeatReply(ballot(), round: counter(), appliedThrough: counter())
        case 9: return .catchUpRequest(fromSlot: counter())
        case 10: return .catchUpEntries(list(upTo: 3) { $0.slotEntry() }, commit: counter())
        case 11: return .snapshot(cellState())
        case 12: return .staleEpoch(configuration())
        case 13: return .cellDeleted(tombstone())
        case 14: return .renewal(requestID())
        default: return .takeOver(ballot())
        }
    }

    mutating func peerMessage() -> PeerMessage {
        PeerMessage(cell: cellID(), body: peerMessageBody())
    }

    mutating func clientRequest() -> ClientRequest {
        ClientRequest(
            id: requestID(), cell: cellID(), operation: operation(), consistency: bool() ? .linearizable : .stale,
            expectedEpoch: bool() ? number() : nil, opensSession: bool()
        )
    }

    mutating func unavailableReason() -> UnavailableReason {
        pick([.catchingUp, .overloaded, .reconfiguring, .leadershipLost, .superseded])
    }

    mutating func clientOutcome() -> ClientOutcome {
        switch below(6) {
        case 0: return .completed(result())
        case 1: return .rejected(operationError())
        case 2: return .redirect(leader: bool() ? nodeID() : nil, configuration: bool() ? configuration() : nil)
        case 3: return .staleEpoch(configuration())
        case 4: return .unavailable(unavailableReason())
        default: return .sessionExpired
        }
    }

    mutating func clientReply() -> ClientReply {
        ClientReply(id: requestID(), cell: cellID(), outcome: clientOutcome())
    }
}

extension RandomValues {
    /// A sampled request's announcement with a random, well-formed, non-zero traceparent.
    mutating func tracedRequest() -> TracedRequest {
        func hex(_ count: Int, _ random: inout RandomValues) -> String {
            String((0..<count).map { index in index == 0 ? "1" : Array("0123456789abcdef")[random.below(16)] })
        }
        let traceParent = "00-\(hex(32, &self))-\(hex(16, &self))-0\(bool() ? 1 : 0)"
        guard let traced = TracedRequest(cell: cellID(), request: requestID(), traceParent: traceParent) else {
            preconditionFailure("Invalid state: a generated traceparent is malformed: \(traceParent)")
        }
        return traced
    }
}
