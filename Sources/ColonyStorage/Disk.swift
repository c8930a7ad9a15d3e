/// The file operations storage needs, on one flat directory: the node's data directory.
///
/// Storage is written against this protocol only, so the simulator can stand in with a disk
/// that loses what was not synced, tears the last write, and flips bits. The contract is the
/// POSIX one that matters for durability: an append is durable after `sync` of that file; a
/// created, renamed or removed name is durable after `syncDirectory`.
public protocol Disk: AnyObject {
    /// The names of the files in the directory, in no particular order.
    func fileNames() throws(DiskError) -> [String]
    /// The size of a file in bytes.
    func size(of name: String) throws(DiskError) -> Int
    /// Reads `count` bytes (fewer at the end of the file) from `offset`.
    func read(_ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8]
    /// Appends bytes to a file, creating it if it does not exist.
    func append(_ name: String, _ bytes: [UInt8]) throws(DiskError)
    /// Makes everything written to the file so far durable.
    func sync(_ name: String) throws(DiskError)
    /// Cuts a file to `size` bytes.
    func truncate(_ name: String, to size: Int) throws(DiskError)
    /// Renames a file, replacing any file of the new name.
    func rename(_ name: String, to newName: String) throws(DiskError)
    /// Removes a file; removing a missing file is not an error.
    func remove(_ name: String) throws(DiskError)
    /// Makes the directory's names (creations, renames, removals) durable.
    func syncDirectory() throws(DiskError)
    /// Hints that the file will soon be read whole, so the disk can start reading it now.
    /// Only a hint: it may do nothing, and it never fails.
    func prefetch(_ name: String)
}

extension Disk {
    /// Does nothing: a disk without read-ahead takes the hint and ignores it.
    public func prefetch(_ name: String) {}

    /// Reads a whole file.
    public func readAll(_ name: String) throws(DiskError) -> [UInt8] {
        try read(name, offset: 0, count: try size(of: name))
    }

    /// Writes a file whole and atomically: a temporary file is written and synced, then
    /// renamed over `name`, then the directory is synced. A crash leaves the old file or the
    /// new one, never a mix.
    public func replaceAtomically(_ name: String, with bytes: [UInt8]) throws(DiskError) {
        let temporary = name + ".tmp"
        try remove(temporary)
        try append(temporary, bytes)
        try sync(temporary)
        try rename(temporary, to: name)
        try syncDirectory()
    }
}

/// A failed file operation: which, on which file, and why.
public struct DiskError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The operation that failed (`open`, `read`, `write`, `fsync`, …).
    public var operation: String
    /// The file (or directory) it acted on.
    public var path: String
    /// The system's reason.
    public var reason: String

    /// Makes an error.
    public init(operation: String, path: String, reason: String) {
        self.operation = operation
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(operation) \(path): \(reason)" }
}
