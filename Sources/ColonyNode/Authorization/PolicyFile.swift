import ColonyAuth
import Foundation

/// The node's copy of the last policy it read, in its data directory, so a node restarted
/// while the directory is unreachable enforces it at once instead of nothing.
struct PolicyFile: Sendable {
    /// The file's name in the data directory.
    static let name = "authorization-policy.json"
    /// The largest file read: a policy at its limits is well under it.
    static let bytesMax = 8 * 1024 * 1024

    /// The file's path.
    let path: String

    /// The file of the node whose data directory is `directory`.
    init(directory: String) {
        path = directory + "/" + Self.name
    }

    /// What the file holds on disk.
    private struct Stored: Codable {
        var version: UInt64
        var policy: AuthPolicy
    }

    /// The policy kept, or nil when there is no file; throws a sentence when the file cannot
    /// be read or holds something that is not a valid policy.
    func load() throws -> CachedPolicy? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw PolicyError("cannot read \(path)") }
        guard data.count <= Self.bytesMax else { throw PolicyError("\(path) is \(data.count) bytes, above \(Self.bytesMax)") }
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: data)
        } catch {
            throw PolicyError("\(path) is not a policy: \(error)")
        }
        if let problem = stored.policy.problem { throw PolicyError("\(path) holds a policy with a problem: \(problem)") }
        return CachedPolicy(policy: stored.policy, version: stored.version)
    }

    /// Writes `cached` to a temporary file, syncs it, and renames it over the file, so a
    /// crash leaves the old copy or the new one, whole.
    func save(_ cached: CachedPolicy) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(Stored(version: cached.version, policy: cached.policy)))
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw PolicyError("cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PolicyError("cannot write \(path): \(reason)")
        }
    }
}

/// Why a policy could not be read (from the file or the directory) or kept.
struct PolicyError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
