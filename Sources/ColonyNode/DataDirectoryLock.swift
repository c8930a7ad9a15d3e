import Foundation
import Synchronization

/// An exclusive lock on a node's data directory, held for as long as the node runs, so two
/// node processes (or the same node started twice) never open one write-ahead log: the
/// second is refused before it reads anything, told which process holds the directory.
///
/// The lock is `flock` on the file `colony.lock` in the directory, which holds the process
/// id of its holder. The system releases it when the holder exits, however it exits, so a
/// killed node leaves no stale lock; the file itself stays.
final class DataDirectoryLock: Sendable {
    /// The lock file's name in the data directory.
    static let fileName = "colony.lock"
    /// The longest process id text read back from a lock file.
    static let holderTextBytesMax = 32

    /// The lock file's descriptor while the lock is held.
    private let descriptor: Mutex<Int32?>

    private init(descriptor: Int32) {
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock on `directory`, creating the directory and the lock file as needed,
    /// and writes this process's id into the file.
    static func acquire(directory: String) throws(NodeStartError) -> DataDirectoryLock {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .dataDirectoryUnusable(directory: directory, reason: error.localizedDescription)
        }
        let path = directory + "/" + fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw .dataDirectoryUnusable(directory: directory, reason: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = readHolder(descriptor)
            close(descriptor)
            guard failure == EWOULDBLOCK else {
                throw .dataDirectoryUnusable(directory: directory, reason: "cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            throw .dataDirectoryInUse(directory: directory, holder: holder)
        }
        let text = Array("\(getpid())\n".utf8)
        let written = ftruncate(descriptor, 0) == 0 ? text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } : -1
        guard written == text.count else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .dataDirectoryUnusable(directory: directory, reason: "cannot write this process's id into \(path): \(reason)")
        }
        return DataDirectoryLock(descriptor: descriptor)
    }

    /// The holder's process id as its lock file says, if it wrote one.
    private static func readHolder(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: holderTextBytesMax)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (once; later calls do nothing); the node must not touch the
    /// directory afterwards.
    func release() {
        if let held = descriptor.withLock({ held in defer { held = nil }; return held }) {
            close(held)
        }
    }
}
