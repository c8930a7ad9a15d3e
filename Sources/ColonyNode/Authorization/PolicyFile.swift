import ColonyAuth
import ColonyStorage
import Foundation

/// The node's copy of the last policy it read, in its data directory, so a node restarted
/// while the directory is unreachable enforces it at once instead of nothing.
struct PolicyFile: Sendable {
    /// The file's name in the data directory.
    static let name = "authorization-policy.json"
    /// The largest file read: a policy at its limits is well under it.
    static let bytesMax = 8 * 1024 * 1024

    /// The node's data directory.
    let directory: String
    /// The file's path.
    let path: String

    /// The file of the node whose data directory is `directory`.
    init(directory: String) {
        self.directory = directory
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

    /// Writes `cached` whole and atomically (`Disk.replaceAtomically`: a synced temporary
    /// file renamed over the file, then the directory synced), so a crash leaves the old copy
    /// or the new one, whole.
    func save(_ cached: CachedPolicy) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(Stored(version: cached.version, policy: cached.policy)))
        do {
            try FileDisk(directory: directory).replaceAtomically(Self.name, with: bytes)
        } catch {
            throw PolicyError("cannot write \(path): \(error)")
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
