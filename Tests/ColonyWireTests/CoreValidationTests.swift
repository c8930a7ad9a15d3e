import ColonyCore
import ColonyWire
import Testing

/// Values come back only through ColonyCore's validating initializers, and when the core
/// refuses one, its own reason travels inside the `WireError`.
@Suite("invalid core values are refused with the core's reason")
struct CoreValidationTests {
    func configurationBytes(members: [UInt64], startSlot: UInt64 = 1) -> [UInt8] {
        bytes {
            $0.writeVarint(1)
            $0.writeVarint(UInt64(members.count))
            for member in members {
                $0.writeVarint(member)
            }
            $0.writeVarint(startSlot)
            $0.write(CellLimits())
        }
    }

    @Test("a configuration with an even member count is refused with the core's reason")
    func evenMembers() {
        let error = decodingError(CellConfiguration.self, configurationBytes(members: [1, 2, 3, 4]))
        #expect(error == .invalidConfiguration(field: "CellConfiguration", offset: 0, reason: .badMemberCount(4)))
        #expect(error?.description.contains("odd number of replicas") == true)
    }

    @Test("a configuration naming a member twice is refused, and members must be in ascending order")
    func memberOrder() {
        #expect(decodingError(CellConfiguration.self, configurationBytes(members: [1, 2, 2])) == .invalidConfiguration(
            field: "CellConfiguration", offset: 0, reason: .duplicateMember(NodeID(2))
        ))
        let error = decodingError(CellConfiguration.self, configurationBytes(members: [3, 2, 1]))
        guard case .notCanonical(let field, _, _) = error else {
            Issue.record("expected descending members to be refused, got \(String(describing: error))")
            return
        }
        #expect(field == "CellConfiguration.members")
    }

    @Test("a node id past 32 bits and a negative limit are out of range")
    func ranges() {
        let error = decodingError(CellConfiguration.self, configurationBytes(members: [1, 2, 1 << 32]))
        #expect(error == .valueOutOfRange(field: "NodeID", offset: 4, reason: "4294967296 does not fit in 32 bits"))
        let limits = bytes {
            $0.writeInt(1)
            $0.writeInt(1)
            $0.writeInt(-5)
        }
        #expect(decodingError(CellLimits.self, limits)?.field == "CellLimits.keysMax")
    }

    @Test("a store with keys out of order is refused with the core's reason")
    func storeOrder() {
        let input = bytes {
            $0.writeVarint(5)
            $0.writeList([KeyValue(key: "b", value: [], version: 1), KeyValue(key: "a", value: [], version: 2)])
        }
        let error = decodingError(CellStore.self, input)
        #expect(error == .inconsistentState(field: "CellStore", offset: 0, reason: .inconsistent("keys out of order at \"a\"")))
        #expect(error?.description.contains("keys out of order") == true)
    }

    @Test("a store holding a version newer than its revision is refused")
    func storeVersion() {
        let input = bytes {
            $0.writeVarint(1)
            $0.writeList([KeyValue(key: "a", value: [], version: 2)])
        }
        guard case .inconsistentState(_, _, let reason) = decodingError(CellStore.self, input) else {
            Issue.record("expected a version beyond the revision to be refused")
            return
        }
        #expect(reason.description.contains("beyond revision 1"))
    }

    @Test("an invalid cell name is refused with the core's explanation")
    func cellNames() {
        let spaced = bytes {
            $0.writeString("a b")
            $0.write(PeerMessageBody.catchUpRequest(fromSlot: 0))
        }
        let error = decodingError(PeerMessage.self, spaced)
        guard case .invalidCellName(let field, let offset, let reason) = error else {
            Issue.record("expected the cell name to be refused, got \(String(describing: error))")
            return
        }
        #expect(field == "CellID" && offset == 0)
        #expect(reason.contains("ASCII letters"))
        let empty = bytes { $0.writeString("") }
        #expect(decodingError(CellID.self, empty)?.description.contains("cannot be empty") == true)
    }

    @Test("client sessions must name each client once, in ascending order")
    func sessions() {
        let record = ClientSessionRecord(client: ClientID(5), lastSequence: 1, lastResult: .success(.deleted(existed: true)), lastSlot: 1)
        var other = record
        other.client = ClientID(2)
        let twice = bytes { $0.writeList([record, record]) }
        guard case .inconsistentState(_, _, let reason) = decodingError(ClientSessions.self, twice) else {
            Issue.record("expected a repeated client to be refused")
            return
        }
        #expect(reason.description.contains("two sessions"))
        let descending = bytes { $0.writeList([record, other]) }
        #expect(decodingError(ClientSessions.self, descending)?.field == "ClientSessions.records")
    }

    @Test("a cell state must apply from where its configuration starts, and its slots must not overflow")
    func cellStates() throws {
        let configuration = try CellConfiguration(epoch: 2, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 10)
        func state(_ configuration: CellConfiguration, appliedThrough: UInt64) -> [UInt8] {
            bytes {
                $0.write(configuration)
                $0.write(CellStore())
                $0.write(ClientSessions())
                $0.writeVarint(appliedThrough)
            }
        }
        guard case .inconsistentState(_, _, let reason) = decodingError(CellState.self, state(configuration, appliedThrough: 3)) else {
            Issue.record("expected a state applied before its configuration to be refused")
            return
        }
        #expect(reason.description.contains("before its configuration starts"))
        #expect(decodingError(CellState.self, state(configuration, appliedThrough: UInt64.max))?.field == "CellState.appliedThrough")
        #expect(throws: ConfigurationError.badStartSlot(0)) {
            try CellConfiguration(epoch: 2, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 0)
        }
        #expect(decodingError(CellState.self, state(configuration, appliedThrough: 9)) == nil)
    }

    @Test("a durable state's entries must be in ascending slot order, after its snapshot")
    func durableEntries() throws {
        let entry = LogEntry(ballot: .zero, batch: [], isChosen: true)
        func durable(_ snapshot: CellState?, _ slots: [Slot]) -> [UInt8] {
            bytes {
                $0.write(Ballot.zero)
                $0.write(snapshot)
                $0.writeList(slots.map { SlotEntry(slot: $0, entry: entry) })
                $0.write(RequestID?.none)
                $0.write(CellTombstone?.none)
            }
        }
        guard case .notCanonical(let field, _, _) = decodingError(DurableCellState.self, durable(nil, [5, 5])) else {
            Issue.record("expected a repeated slot to be refused")
            return
        }
        #expect(field == "DurableCellState.entries")
        let state = try sampleCellState()
        #expect(decodingError(DurableCellState.self, durable(state, [43, 44])) == nil)
        guard case .inconsistentState(_, _, let reason) = decodingError(DurableCellState.self, durable(state, [42, 43])) else {
            Issue.record("expected an entry the snapshot covers to be refused")
            return
        }
        #expect(reason.description.contains("covered by the snapshot through slot 42"))
    }
}
