import ColonyCore
import ColonyStorage

/// The simulator's disk: files in memory that remember what was synced.
///
/// It keeps, for every file, its current bytes and its durable bytes (as of its last
/// `sync`), and for the directory its current names and its durable names (as of its last
/// `syncDirectory`). A crash keeps only what is durable, except that the unsynced tail of an
/// appended file may survive in part: a torn write. `flipBit` damages stored bytes, as a
/// failing medium does.
public final class SimulatedDisk: Disk {
    private final class File {
        var bytes: [UInt8] = []
        /// How many leading bytes of `bytes` were synced, while `bytes` has only grown since:
        /// then the durable bytes are that prefix, and nothing is copied at each sync (a copy
        /// would make the next append copy the whole file).
        var durablePrefix = 0
        /// The synced bytes, kept apart only once a truncation cut into them after the sync.
        var durableCopy: [UInt8]?

        var durableCount: Int { durableCopy?.count ?? durablePrefix }

        /// The bytes as of the last sync.
        var durableBytes: [UInt8] { durableCopy ?? Array(bytes[..<durablePrefix]) }

        func sync() {
            durablePrefix = bytes.count
            durableCopy = nil
        }

        func truncate(to size: Int) {
            if durableCopy == nil, size < durablePrefix { durableCopy = Array(bytes[..<durablePrefix]) }
            bytes.removeLast(max(0, bytes.count - size))
        }
    }

    private var names: [String: File] = [:]
    private var durableNames: [String: File] = [:]
    /// Operations left before the disk starts failing every call (for tests that stop a
    /// writer at every possible point); nil for a disk that never fails.
    public var operationsUntilFailure: Int?

    /// Makes an empty disk.
    public init() {}

    private func check(_ operation: String, _ name: String) throws(DiskError) {
        guard let left = operationsUntilFailure else { return }
        guard left > 0 else { throw DiskError(operation: operation, path: name, reason: "the simulated disk stopped") }
        operationsUntilFailure = left - 1
    }

    private func file(_ name: String, _ operation: String) throws(DiskError) -> File {
        guard let file = names[name] else { throw DiskError(operation: operation, path: name, reason: "no such file") }
        return file
    }

    public func fileNames() throws(DiskError) -> [String] {
        try check("list", ".")
        return Array(names.keys)
    }

    public func size(of name: String) throws(DiskError) -> Int {
        try check("stat", name)
        return try file(name, "stat").bytes.count
    }

    public func read(_ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8] {
        try check("read", name)
        let bytes = try file(name, "read").bytes
        guard offset < bytes.count else { return [] }
        return Array(bytes[offset..<min(bytes.count, offset + count)])
    }

    public func append(_ name: String, _ bytes: [UInt8]) throws(DiskError) {
        try check("write", name)
        let file = names[name] ?? File()
        names[name] = file
        file.bytes.append(contentsOf: bytes)
    }

    public func sync(_ name: String) throws(DiskError) {
        try check("fsync", name)
        try file(name, "fsync").sync()
    }

    public func truncate(_ name: String, to size: Int) throws(DiskError) {
        try check("ftruncate", name)
        try file(name, "ftruncate").truncate(to: size)
    }

    public func rename(_ name: String, to newName: String) throws(DiskError) {
        try check("rename", name)
        names[newName] = try file(name, "rename")
        names[name] = nil
    }

    public func remove(_ name: String) throws(DiskError) {
        try check("unlink", name)
        names[name] = nil
    }

    public func syncDirectory() throws(DiskError) {
        try check("fsync", ".")
        durableNames = names
    }

    /// Loses power: every name and byte not made durable is gone, except that an appended,
    /// unsynced tail may survive in part (a torn write), when `random` says so.
    public func crash(using random: inout SplitMix64) {
        var survivors: [String: File] = [:]
        for (name, file) in durableNames {
            let durable = file.durableBytes
            let unsynced = file.bytes.count - durable.count
            var kept = durable
            if unsynced > 0, file.durableCopy == nil || file.bytes.starts(with: durable), random.next() % 2 == 0 {
                kept += file.bytes[durable.count..<(durable.count + Int(random.next() % UInt64(unsynced)))]
            }
            file.bytes = kept
            file.durablePrefix = durable.count
            file.durableCopy = nil
            survivors[name] = file
        }
        names = survivors
        operationsUntilFailure = nil
    }

    /// The names of the files, in order, for tests and fault injection.
    public var sortedFileNames: [String] { names.keys.sorted() }

    /// Flips one bit of `name` at `offset`, as a failing medium does: in its durable bytes
    /// too when the offset is among them.
    public func flipBit(in name: String, at offset: Int, bit: Int) {
        guard let file = names[name], offset < file.bytes.count else { return }
        file.bytes[offset] ^= UInt8(1) << UInt8(bit % 8)
        if offset < file.durableCopy?.count ?? 0 {
            file.durableCopy?[offset] ^= UInt8(1) << UInt8(bit % 8)
        }
    }

    /// How many bytes of `name` are durable.
    public func durableSize(of name: String) -> Int {
        names[name]?.durableCount ?? 0
    }
}
