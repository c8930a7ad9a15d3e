import ColonyStorage

/// A disk that passes every operation but `sync` to the disk below: the node's wrappers of
/// its data directory (`FsyncTimingDisk`, `StallableDisk`) differ only in what they do
/// around a sync.
protocol ForwardingDisk: Disk {
    /// The disk below.
    var base: any Disk { get }
}

extension ForwardingDisk {
    func fileNames() throws(DiskError) -> [String] { try base.fileNames() }
    func size(of name: String) throws(DiskError) -> Int { try base.size(of: name) }
    func read(_ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8] { try base.read(name, offset: offset, count: count) }
    func append(_ name: String, _ bytes: [UInt8]) throws(DiskError) { try base.append(name, bytes) }
    func truncate(_ name: String, to size: Int) throws(DiskError) { try base.truncate(name, to: size) }
    func rename(_ name: String, to newName: String) throws(DiskError) { try base.rename(name, to: newName) }
    func remove(_ name: String) throws(DiskError) { try base.remove(name) }
    func syncDirectory() throws(DiskError) { try base.syncDirectory() }
    func prefetch(_ name: String) { base.prefetch(name) }
}
