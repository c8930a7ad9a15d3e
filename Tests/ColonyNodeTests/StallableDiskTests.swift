import ColonyStorage
import Dispatch
import Foundation
import Testing
@testable import ColonyNode

/// The disk stall of `colony chaos`: a node's log fsyncs wait while another holder has the
/// stall lock, and only they do.
@Suite("a stallable disk holds its log's fsyncs while another holder has its lock")
struct StallableDiskTests {
    /// A disk shared with the thread that syncs on it; the disk itself takes no locks of its own.
    private final class SharedDisk: @unchecked Sendable {
        let disk: StallableDisk
        init(_ disk: StallableDisk) { self.disk = disk }
    }

    @Test("a segment's fsync waits until the lock is let go; another file's does not", .timeLimit(.minutes(1)))
    func segmentFsyncWaitsForTheLock() throws {
        let folder = NSTemporaryDirectory() + "colony-stall-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let files = try FileDisk(directory: folder)
        let segment = "wal-0000000000000001.seg"
        try files.append(segment, [1, 2, 3])
        try files.append("snapshot", [4])
        let shared = SharedDisk(try StallableDisk(files, lockPath: folder + "/stall"))

        let holder = open(folder + "/stall", O_RDWR)
        defer { close(holder) }
        #expect(flock(holder, LOCK_EX) == 0)
        try shared.disk.sync("snapshot")
        let synced = DispatchSemaphore(value: 0)
        Thread {
            try? shared.disk.sync(segment)
            synced.signal()
        }.start()
        // Held: the sync cannot end while the lock is held, however long this waits.
        let held = synced.wait(timeout: .now() + .milliseconds(300)) == .timedOut
        #expect(held, "a segment's fsync ended while another holder had the stall lock")
        flock(holder, LOCK_UN)
        if held { synced.wait() }
    }
}
