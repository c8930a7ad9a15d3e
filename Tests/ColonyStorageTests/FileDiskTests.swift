import ColonyStorage
import Foundation
import Testing

/// The real disk keeps open only the files being appended to: a recovery reads every
/// snapshot file once, and a node with a million cells would otherwise run out of
/// descriptors before it listens.
@Suite("the real disk's open files")
struct FileDiskTests {
    /// The files of `directory` this process has open (other tests open theirs meanwhile).
    static func openFiles(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { descriptor in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + descriptor)
            return target.flatMap { $0.hasPrefix(directory + "/") ? $0 : nil }
        }
    }

    @Test("reading a thousand files leaves none of them open; a file being appended to stays open and reads what was appended")
    func readsCloseWhatTheyOpened() throws {
        let directory = NSTemporaryDirectory() + "colony-filedisk-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = try FileDisk(directory: directory)
        for index in 0..<1_000 {
            try disk.replaceAtomically("snap-\(index)", with: Array("state \(index)".utf8))
        }
        for index in 0..<1_000 {
            #expect(try disk.readAll("snap-\(index)") == Array("state \(index)".utf8))
        }
        #expect(try Self.openFiles(in: directory).isEmpty)

        try disk.append("segment", Array("first".utf8))
        try disk.append("segment", Array(" second".utf8))
        #expect(try disk.readAll("segment") == Array("first second".utf8))
        #expect(try Self.openFiles(in: directory) == [directory + "/segment"])
        #expect(throws: DiskError.self) { try disk.read("missing", offset: 0, count: 1) }
        #expect(!FileManager.default.fileExists(atPath: directory + "/missing"), "a read creates nothing")
    }
}
