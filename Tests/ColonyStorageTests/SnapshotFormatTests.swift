import ColonyCore
import ColonySim
import Testing
@testable import ColonyStorage

@Suite("snapshot file formats")
struct SnapshotFormatTests {
    let cell = CellID("vol-7")
    let nonce = [UInt8](repeating: 0, count: 12)

    func durable() throws -> DurableCellState {
        var state = DurableCellState()
        state.apply(.promise(Ballot(epoch: 1, round: 2, node: NodeID(3))))
        let configuration = try CellConfiguration(epoch: 1, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 1)
        state.apply(.snapshot(CellState(configuration: configuration)))
        return state
    }

    /// `file` rewritten as format `version` with its payload cut by `droppedPayloadBytes` at the end.
    func rewritten(_ file: [UInt8], version: UInt16, droppedPayloadBytes: Int) -> [UInt8] {
        let nameEnd = 33 + Int(file[32])
        guard let payloadLength = file.littleEndian(UInt32.self, at: nameEnd) else { return [] }
        var bytes = Array(file[0..<8])
        bytes.appendLittleEndian(version)
        bytes += file[10..<nameEnd]
        bytes.appendLittleEndian(payloadLength - UInt32(droppedPayloadBytes))
        bytes += file[(nameEnd + 4)..<(nameEnd + 4 + Int(payloadLength) - droppedPayloadBytes)]
        bytes.appendLittleEndian(CRC32C.checksum(bytes))
        return bytes
    }

    @Test("a file of format 1, written before cells could be deleted, still reads")
    func formatOneReads() throws {
        let state = try durable()
        let current = SnapshotFile(cell: cell, coveredLSN: 9, state: state).encode(sealer: Sealer(key: nil), nonce: nonce, level: .first)
        let formatOne = rewritten(current, version: 1, droppedPayloadBytes: 1)
        let decoded = try SnapshotFile.decode(formatOne, sealer: Sealer(key: nil), limits: .standard, read: FormatLevel.standardRead).get()
        #expect(decoded.state == state)
        #expect(decoded.coveredLSN == 9)
    }

    @Test("a deleted cell's file keeps its tombstone; a format this build does not know is refused")
    func tombstoneAndUnknownFormat() throws {
        var deleted = DurableCellState()
        let configuration = try CellConfiguration(epoch: 2, members: [NodeID(1), NodeID(2), NodeID(3)], startSlot: 4)
        deleted.apply(.deleted(CellTombstone(configuration: configuration, slot: 8, revision: 5)))
        let file = SnapshotFile(cell: cell, coveredLSN: 3, state: deleted).encode(sealer: Sealer(key: nil), nonce: nonce, level: .first)
        #expect(try SnapshotFile.decode(file, sealer: Sealer(key: nil), limits: .standard, read: FormatLevel.standardRead).get().state == deleted)
        let future = rewritten(file, version: 3, droppedPayloadBytes: 0)
        #expect(throws: SnapshotFile.Problem.unsupportedVersion(3)) {
            try SnapshotFile.decode(future, sealer: Sealer(key: nil), limits: .standard, read: FormatLevel.standardRead).get()
        }
        // Format 3 is level 2's: a rehearsal build reads it.
        #expect(try SnapshotFile.decode(future, sealer: Sealer(key: nil), limits: .standard, read: FormatLevel.rehearsalRead).get().state == deleted)
        #expect(throws: SnapshotFile.Problem.unsupportedVersion(4)) {
            try SnapshotFile.decode(
                rewritten(file, version: 4, droppedPayloadBytes: 0), sealer: Sealer(key: nil), limits: .standard, read: FormatLevel.rehearsalRead
            ).get()
        }
    }

    @Test("a log holding a snapshot of a newer format is refused at open, naming both versions, not taken for damage")
    func newerFormatRefusesToOpen() throws {
        let disk = SimulatedDisk()
        _ = try StorageSupport.open(disk)
        let file = SnapshotFile(cell: cell, coveredLSN: 0, state: try durable()).encode(sealer: Sealer(key: nil), nonce: nonce, level: .first)
        try disk.replaceAtomically(SnapshotFile.fileName(for: cell), with: rewritten(file, version: 3, droppedPayloadBytes: 0))
        do {
            _ = try StorageSupport.open(disk)
            Issue.record("a snapshot of format 3 was read by a build that reads 1 and 2")
        } catch StorageError.unsupported(let message) {
            #expect(message.contains("format version 3") && message.contains("reads versions 1-2"), "\(message)")
        }
    }
}
