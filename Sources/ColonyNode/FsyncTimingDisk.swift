import ColonyStorage
import Prometheus

/// The node's data directory as the write-ahead log sees it, with each fsync of a log segment
/// timed into `colony_wal_fsync_seconds`: the group commit's latency without its write, which
/// `colony_wal_flush_seconds` includes. Every other operation goes straight to the disk below.
final class FsyncTimingDisk: ForwardingDisk {
    let base: any Disk
    private let fsyncs: DurationHistogram

    init(_ disk: any Disk, fsyncs: DurationHistogram) {
        base = disk
        self.fsyncs = fsyncs
    }

    func sync(_ name: String) throws(DiskError) {
        guard WriteAheadLog.isSegment(named: name) else { return try base.sync(name) }
        let started = ContinuousClock.now
        try base.sync(name)
        fsyncs.record(ContinuousClock.now - started)
    }
}
