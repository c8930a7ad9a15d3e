import Foundation

/// A small filesystem of its own for each node's data directory (a tmpfs mounted there), so
/// that `colony chaos` can fill one node's disk without touching the others' or the machine's:
/// a `disk-full` fault takes every free byte of the node's volume with a ballast file, and
/// its heal deletes the ballast. Mounting needs root.
///
/// `unmountAll` takes every volume down again (after the nodes have stopped: a node still
/// running holds its volume busy, and the unmount then says so).
final class NodeVolumes: @unchecked Sendable {
    /// Each volume's size: room for a run's logs and snapshots many times over; a tmpfs takes
    /// memory only for what is written.
    static let bytes = 256 * 1024 * 1024
    /// The ballast's name in a node's data directory.
    static let ballastName = "chaos-ballast"

    /// The mounted data directories, by node.
    private(set) var directories: [UInt32: String] = [:]
    private let lock = NSLock()

    /// Mounts a volume at the data directory of each of `nodes` under `directory` (as
    /// `LocalNodes` names them: `directory/nN`); takes down what it mounted if one fails.
    static func mount(nodes: [UInt32], under directory: String) throws -> NodeVolumes {
        guard geteuid() == 0 else {
            throw CommandFailure(.invalidInput, "the disk-full fault mounts a tmpfs for each node's data, which needs root")
        }
        let volumes = NodeVolumes()
        do {
            for node in nodes {
                let path = directory + "/n\(node)"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                _ = try SystemCommand.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(bytes),mode=0700", "tmpfs", path])
                volumes.lock.withLock { volumes.directories[node] = path }
            }
        } catch {
            _ = volumes.unmountAll()
            throw error
        }
        return volumes
    }

    /// Fills `node`'s volume: a ballast file takes every block still free (allocated a
    /// mebibyte at a time, then a page at a time, until the volume refuses). False if it could
    /// not begin (the node has no volume, or the file could not be made).
    func fill(_ node: UInt32) -> Bool {
        guard let directory = lock.withLock({ directories[node] }) else { return false }
        let descriptor = open(directory + "/" + Self.ballastName, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var end: off_t = 0
        for step: off_t in [1 << 20, 4096] {
            while posix_fallocate(descriptor, end, step) == 0 { end += step }
        }
        return true
    }

    /// Frees `node`'s volume again: deletes the ballast, if any.
    func free(_ node: UInt32) {
        guard let directory = lock.withLock({ directories[node] }) else { return }
        unlink(directory + "/" + Self.ballastName)
    }

    /// Unmounts every volume; the paths that could not be unmounted.
    @discardableResult
    func unmountAll() -> [String] {
        let paths = lock.withLock { () -> [String] in
            let paths = directories.values.sorted()
            directories = [:]
            return paths
        }
        return paths.filter { path in
            (try? SystemCommand.run("/bin/umount", [path])) == nil
        }
    }
}
