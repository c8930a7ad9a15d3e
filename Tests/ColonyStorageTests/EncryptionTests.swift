import ColonyCore
import ColonySim
import ColonyStorage
import Testing
@testable import colony

@Suite("encryption at rest")
struct EncryptionTests {
    @Test("a sealed log recovers with its key, and holds no plaintext value")
    func sealedRoundTrip() throws {
        let disk = SimulatedDisk()
        let options = StorageSupport.options(key: StorageSupport.key)
        let (log, _) = try StorageSupport.open(disk, options)
        let written = try StorageSupport.write(800, to: log)
        let (_, recovery) = try StorageSupport.open(disk, options)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: written, cells: 8).isEmpty)
        guard case .accepted(_, let entry) = LogExercise.record(at: 799, cells: 8).record,
              case .client(let command) = entry.batch.first, case .put(_, let value) = command.operation
        else {
            Issue.record("the exercise writes puts")
            return
        }
        for name in disk.sortedFileNames {
            let bytes = try disk.readAll(name)
            #expect(!bytes.indices.contains { bytes[$0...].starts(with: value) }, "\(name) holds a plaintext value")
        }
    }

    @Test("the wrong key, or none, is refused with a clear error rather than read as garbage")
    func wrongKey() throws {
        let disk = SimulatedDisk()
        let (log, _) = try StorageSupport.open(disk, StorageSupport.options(key: StorageSupport.key))
        try StorageSupport.write(100, to: log)
        let other = try StorageKey(bytes: Array(repeating: 9, count: 32))
        #expect(throws: StorageError.self) { try StorageSupport.open(disk, StorageSupport.options(key: other)) }
        do {
            _ = try StorageSupport.open(disk, StorageSupport.options())
            Issue.record("opened a sealed log without a key")
        } catch let error as StorageError {
            #expect(error.description.contains("key"))
        }
    }

    @Test("a key file must hold 32 bytes or 64 hex digits")
    func keyFiles() {
        #expect(throws: StorageError.self) { try StorageKey(bytes: [1, 2, 3]) }
        #expect(throws: StorageError.self) { try StorageKey(file: "/nonexistent/key") }
    }
}
