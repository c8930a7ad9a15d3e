import ColonyCore
import ColonyStorage

/// A deterministic write load for a node's log, and the check that recovery kept every
/// acknowledged record and invented none. `colony wal exercise` writes it (the crash tests
/// kill that process at random points); the tests and operators verify what survived.
///
/// The record at LSN `n` is an accepted entry of cell `exercise-(n mod cells)` at slot `n`,
/// whose one command writes a value derived from `n`: anything recovered can be recomputed
/// and compared byte for byte.
enum LogExercise {
    /// The cell and record the exercise writes at `lsn`.
    static func record(at lsn: UInt64, cells: Int) -> (cell: CellID, record: DurableRecord) {
        let cell = CellID("exercise-\(lsn % UInt64(cells))")
        let command = Command.client(ClientCommand(
            id: RequestID(client: ClientID(7), sequence: lsn), operation: .put(Key("k"), value(at: lsn)), opensSession: true))
        let entry = LogEntry(ballot: Ballot(epoch: 1, round: 1, node: NodeID(1)), batch: [command], isChosen: false)
        return (cell, .accepted(slot: lsn, entry: entry))
    }

    private static func value(at lsn: UInt64) -> Bytes {
        var generator = SplitMix64(seed: lsn)
        let length = 16 + Int(generator.next() % 200)
        return (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// What is wrong with `recovered`: an acknowledged record (LSN `from`…`through`) that is
    /// missing, or any recovered entry that the exercise never wrote. Empty when all is well.
    static func problems(
        in recovered: [CellID: DurableCellState], acknowledged: ClosedRange<UInt64>?, cells: Int
    ) -> [String] {
        var problems: [String] = []
        for (cell, state) in recovered {
            for (slot, entry) in state.entries {
                let expected = record(at: slot, cells: cells)
                guard case .accepted(_, let expectedEntry) = expected.record, expected.cell == cell, expectedEntry == entry else {
                    problems.append("cell \(cell) holds an entry at slot \(slot) the exercise never wrote")
                    continue
                }
            }
        }
        if let acknowledged {
            for lsn in acknowledged {
                let expected = record(at: lsn, cells: cells)
                if recovered[expected.cell]?.entries[lsn] == nil {
                    problems.append("acknowledged record \(lsn) (cell \(expected.cell)) is missing")
                }
            }
        }
        return problems.sorted()
    }
}
