import ColonyCore
import Testing

@Suite("a write larger than any cell is refused before it takes a slot")
struct OperationSizeTests {
    /// A cell whose quota takes the largest values any cell may hold.
    static func configuration() throws -> CellConfiguration {
        try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1, limits: .ceiling)
    }

    static let mebibyte = [UInt8](repeating: 7, count: CellLimits.ceiling.valueBytesMax)

    /// Without the bound, such a transaction takes a slot whose accept no follower receives:
    /// a node drops a message larger than its peer frames (16 MiB), so the slot is never
    /// chosen and every later write of the cell waits behind it.
    @Test("a transaction of 20 one-MiB puts (about 20 MiB, more than a peer frame holds) is refused; one of 7 is not")
    func transactionOverTheBound() throws {
        let configuration = try Self.configuration()
        func puts(_ count: Int) -> CellOperation {
            .transaction(Transaction(success: (0..<count).map { .put(Key("k\($0)"), Self.mebibyte) }))
        }
        guard case .operationTooLarge(let bytes, let max)? = puts(20).validationError(in: configuration) else {
            Issue.record("\(String(describing: puts(20).validationError(in: configuration)))")
            return
        }
        #expect(bytes > max && max == CellOperation.bytesMax)
        #expect(puts(7).validationError(in: configuration) == nil)
    }

    @Test("a part of a restore larger than any cell is refused the same way")
    func restoreOverTheBound() throws {
        let items = (0..<9).map { KeyValue(key: Key("k\($0)"), value: Self.mebibyte, version: 1) }
        let part = CellOperation.restore(RestoredKeys(revision: 1, items: items, isFirst: true))
        guard case .operationTooLarge? = part.validationError(in: try Self.configuration()) else {
            Issue.record("\(String(describing: part.validationError(in: try Self.configuration())))")
            return
        }
    }
}
