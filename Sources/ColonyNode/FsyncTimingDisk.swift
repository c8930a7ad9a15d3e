import ColonyStorage
import Prometheus

/// The node's data directory as the write-ahead log sees it, with each fsync of a log segment
/// timed into `colony_wal_fsync_seconds`: the group commit's latency without its write, which
/// `colony_wal_flush_seconds` includes. Every other operation goes straight to the disk below.
final class FsyncTimingDisk: Disk {
    private let disk: any Disk
    private let fsyncs: DurationHistogram

    init(_ disk: any Disk, fsyncs: DurationHistogram) {
        self.disk = disk
        self.fsyncs = fsyncs
    }

    func sync(_ name: String) throws(DiskError) {
        guard WriteAheadLog.isSegment(named: name) else { return try disk.sync(name) }
        let started = ContinuousClock.now
        try disk.sync(name)
        fsyncs.record(ContinuousClock.now - started)
    }

    func fileNames() throws(DiskError) -> [String] { try disk.fileNames() }
    func size(of name: String) throws(DiskError) -> Int { try disk.size(of: name) }
    func read(_ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8] { try disk.read(name, offset: offset, count: count) }
    func append(_ name: String, _ bytes: [UInt8]) throws(DiskError) { try disk.append(name, bytes) }
    func truncate(_ name: String, to size: Int) throws(DiskError) { try disk.truncate(name, to: size) }
    func rename(_ name: String, to newName: String) throws(DiskError) { try disk.rename(name, to: newName) }
    func remove(_ name: String) throws(DiskError) { try disk.remove(name) }
    func syncDirectory() throws(DiskError) { try disk.syncDirectory() }
    func prefetch(_ name: String) { disk.prefetch(name) }
}
