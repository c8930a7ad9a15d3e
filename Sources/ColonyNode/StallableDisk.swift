import ColonyStorage
import Foundation

/// Testing only: the node's disk with every fsync of a log segment held while another
/// process holds an exclusive lock (flock) on a lock file, so that `colony chaos` can stall
/// one node's disk, as a failing or saturated device would, without touching its files or
/// its peers. The writer thread waits while the node's event loops go on (its admin page
/// answers); whatever waits for the log waits with it.
///
/// A lock ends with the process that held it, so a stall never outlives the run that made it.
/// A node wraps its disk in this only when started with `Options.diskStallLock`, which it
/// refuses unless its colony is a development one (`NodeConfig.developmentColony`).
final class StallableDisk: ForwardingDisk {
    let base: any Disk
    private let lock: Int32

    /// Wraps `disk`, opening (or making) the lock file at `lockPath`.
    init(_ disk: any Disk, lockPath: String) throws(NodeStartError) {
        let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .diskStallLockUnusable(path: lockPath, reason: String(cString: strerror(errno)))
        }
        base = disk
        lock = descriptor
    }

    deinit {
        close(lock)
    }

    func sync(_ name: String) throws(DiskError) {
        if WriteAheadLog.isSegment(named: name) {
            // Waits while another process holds the lock exclusively; takes nothing for long.
            flock(lock, LOCK_SH)
            flock(lock, LOCK_UN)
        }
        try base.sync(name)
    }
}
