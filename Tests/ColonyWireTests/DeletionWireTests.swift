import ColonyCore
import ColonyWire
import Testing

/// The encodings that deleting cells and watching them added: pinned byte for byte like the
/// older ones (they reach every node's log and snapshots), and refused when malformed.
@Suite("deletions and list revisions on the wire")
struct DeletionWireTests {
    /// Epoch 1, members n1 n2 n3, start slot 1, the standard limits (as `GoldenBytesTests` pins them).
    static let configurationBytes: [UInt8] = [
        0x01, 0x03, 0x01, 0x02, 0x03, 0x01, 0x80, 0x04, 0x80, 0x80, 0x02, 0xD0, 0x0F, 0x80, 0x80, 0x80, 0x01, 0x80, 0x01, 0x80, 0x10,
    ]

    func tombstone() throws -> CellTombstone {
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        return CellTombstone(configuration: configuration, slot: 5, revision: 300)
    }

    @Test("deleting a cell is operation tag 9 alone; its result is tag 9, its error tag 13")
    func deleteCell() {
        #expect(WireCodec.encode(CellOperation.deleteCell) == [0x09])
        #expect(WireCodec.encode(OperationResult.cellDeleted) == [0x09])
        #expect(WireCodec.encode(OperationError.cellDeleted) == [0x0D])
    }

    @Test("a list result is tag 8: the items, whether truncated, then the revision it was read at")
    func listResult() {
        #expect(WireCodec.encode(OperationResult.list([], truncated: true, revision: 300)) == [0x08, 0x00, 0x01, 0xAC, 0x02])
    }

    @Test("the retired list tag 2 is refused, not read as something else")
    func retiredListTag() {
        #expect(decodingError(OperationResult.self, [0x02, 0x00, 0x00]) == .unknownTag(field: "OperationResult", offset: 0, tag: 2))
    }

    @Test("a tombstone is the configuration, the slot that deleted the cell and its last revision")
    func tombstoneBytes() throws {
        let tombstone = try tombstone()
        #expect(WireCodec.encode(tombstone) == Self.configurationBytes + [0x05, 0xAC, 0x02])
        #expect(WireCodec.encode(DurableRecord.deleted(tombstone)) == [0x06] + Self.configurationBytes + [0x05, 0xAC, 0x02])
        let message = PeerMessage(cell: CellID("c"), body: .cellDeleted(tombstone))
        #expect(WireCodec.encode(message) == [0x01, 0x63, 0x10] + Self.configurationBytes + [0x05, 0xAC, 0x02])
    }

    @Test("a tombstone whose slot precedes its configuration's epoch is refused")
    func tombstoneBeforeItsEpoch() {
        let bytes = Self.configurationBytes + [0x00, 0x01]
        guard case .valueOutOfRange(let field, _, _) = decodingError(CellTombstone.self, bytes) else {
            Issue.record("a tombstone at slot 0 was not refused")
            return
        }
        #expect(field == "CellTombstone.slot")
    }

    @Test("a deleted cell's durable state is nothing but the tombstone, which ends the encoding")
    func deletedDurableState() throws {
        var deleted = DurableCellState()
        deleted.apply(.promise(Ballot(epoch: 1, round: 2, node: NodeID(3))))
        deleted.apply(.deleted(try tombstone()))
        deleted.apply(.promise(Ballot(epoch: 9, round: 9, node: NodeID(9))))
        #expect(deleted.promised == .zero)
        #expect(deleted.tombstone == (try tombstone()))
        #expect(WireCodec.encode(deleted) == [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01] + Self.configurationBytes + [0x05, 0xAC, 0x02])
        expectRoundTrip(deleted)
    }

    @Test("a durable state with a tombstone beside anything else is refused as inconsistent")
    func tombstoneBesideState() throws {
        let promisedThenDeleted: [UInt8] = [0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x01] + Self.configurationBytes + [0x05, 0xAC, 0x02]
        guard case .inconsistentState(let field, _, _) = decodingError(DurableCellState.self, promisedThenDeleted) else {
            Issue.record("a promise beside a tombstone was accepted")
            return
        }
        #expect(field == "DurableCellState.tombstone")
    }

    @Test("the durable state of snapshot format 1, without the tombstone byte, still reads")
    func formatOneDurableState() throws {
        let state = DurableCellState(
            promised: Ballot(epoch: 2, round: 1, node: NodeID(1)), snapshot: try sampleCellState(), entries: [:],
            damagedRenewal: nil, tombstone: nil)
        let current = WireCodec.encode(state)
        #expect(current.last == 0x00)
        var reader = ByteReader(Array(current.dropLast()))
        #expect(try DurableCellState(from: &reader, withTombstone: false) == state)
        #expect(reader.isAtEnd)
    }
}
