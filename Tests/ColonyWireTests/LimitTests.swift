import ColonyCore
import ColonyWire
import Testing

/// A length field is checked against a named limit and against the bytes left before anything
/// is allocated, so a field claiming gigabytes costs nothing and says which limit refused it.
@Suite("absurd lengths are refused before allocation")
struct LimitTests {
    @Test("a value claiming 4 GB is refused, naming valueBytesMax")
    func hugeValue() {
        let input = bytes {
            $0.writeByte(3)  // the tag of put
            $0.writeString("k")
            $0.writeVarint(0xFFFF_FFFF)
        }
        let error = decodingError(CellOperation.self, input)
        #expect(error == .lengthOverLimit(field: "Bytes", offset: 3, length: 0xFFFF_FFFF, limit: .valueBytesMax, max: 1024 * 1024))
        #expect(error?.description.contains("valueBytesMax") == true)
    }

    @Test("a key over keyBytesMax and a cell name over stringBytesMax are refused by name")
    func longTexts() {
        let key = bytes {
            $0.writeByte(1)  // the tag of get
            $0.writeString(String(repeating: "k", count: 1025))
        }
        #expect(decodingError(CellOperation.self, key)?.description.contains("keyBytesMax") == true)
        let cell = bytes { $0.writeString(String(repeating: "c", count: 5_000)) }
        #expect(decodingError(CellID.self, cell) == .lengthOverLimit(field: "CellID", offset: 0, length: 5_000, limit: .stringBytesMax, max: 1024))
    }

    @Test("a list claiming four billion entries is refused, naming listCountMax")
    func hugeList() {
        let input = bytes { $0.writeVarint(1 << 32) }
        let error = decodingError(Transaction.self, input)
        #expect(error == .lengthOverLimit(field: "Transaction.conditions", offset: 0, length: 1 << 32, limit: .listCountMax, max: 1_000_000))
        #expect(error?.description.contains("listCountMax") == true)
    }

    @Test("a list claiming more entries than there are bytes left is refused as truncated")
    func listBeyondInput() {
        let input = bytes { $0.writeVarint(999_999) }
        #expect(decodingError(Transaction.self, input) == .truncated(
            field: "Transaction.conditions", offset: 3, neededBytes: 999_999, remainingBytes: 0
        ))
    }

    @Test("the total element budget bounds nested lists, whatever each list's own count")
    func elementBudget() {
        let entry = LogEntry(ballot: .zero, batch: Array(repeating: .noop, count: 4), isChosen: true)
        let message = PeerMessageBody.catchUpEntries((1...3).map { SlotEntry(slot: $0, entry: entry) }, commit: 3)
        let encoding = WireCodec.encode(message)
        #expect(decodingError(PeerMessageBody.self, encoding) == nil)
        let tight = WireLimits(elementsTotalMax: 10)
        let error = decodingError(PeerMessageBody.self, encoding, limits: tight)
        guard case .lengthOverLimit(_, _, _, let limit, let max) = error else {
            Issue.record("expected the element budget to refuse, got \(String(describing: error))")
            return
        }
        #expect(limit == .elementsTotalMax)
        #expect(max == 10)
    }

    @Test("a value exactly at a limit decodes, one byte more is refused")
    func atTheLimit() {
        let limits = WireLimits(valueBytesMax: 3)
        #expect(decodingError(Bytes.self, WireCodec.encode(Bytes([1, 2, 3])), limits: limits) == nil)
        #expect(decodingError(Bytes.self, WireCodec.encode(Bytes([1, 2, 3, 4])), limits: limits) == .lengthOverLimit(
            field: "Bytes", offset: 0, length: 4, limit: .valueBytesMax, max: 3
        ))
        #expect(decodingError(Bytes.self, WireCodec.encode(Bytes(repeating: 7, count: 1024 * 1024))) == nil)
    }

    @Test("the standard limits sit well above a cell's default limits")
    func standardLimits() {
        let wire = WireLimits.standard
        let cell = CellLimits.standard
        #expect(wire.keyBytesMax >= cell.keyBytesMax)
        #expect(wire.valueBytesMax >= cell.valueBytesMax)
        #expect(wire.listCountMax >= cell.keysMax)
        #expect(wire.stringBytesMax >= CellID.bytesMax)
        #expect(wire.elementsTotalMax >= wire.listCountMax)
    }
}

