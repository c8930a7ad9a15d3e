import ColonyAuth
import Foundation

/// The node's copy of the last policy it read, in its data directory, so a node restarted
/// while the directory is unreachable enforces it at once instead of nothing.
struct PolicyFile: Sendable {
    /// The file's name in the data directory.
    static let name = "authorization-policy.json"

    /// The largest file read: a policy at its limits is well under it.
    static let bytesMax = 8 * 1024 * 1024

    /// The file.
    let file: KeptJSONFile

    /// The file of the node whose data directory is `directory`.
    init(directory: String) {
        file = KeptJSONFile(directory: directory, name: Self.name, bytesMax: Self.bytesMax)
    }

    /// The file's path.
    var path: String { file.path }

    /// What the file holds on disk.
    private struct Stored: Codable {
        var version: UInt64
        var policy: AuthPolicy
    }

    /// The policy kept, or nil when there is no file; throws a sentence when the file cannot
    /// be read or holds something that is not a valid policy.
    func load() throws -> CachedPolicy? {
        let data: Data
        do {
            guard let read = try file.read() else { return nil }
            data = read
        } catch {
            throw PolicyError(error.description)
        }
        let stored: Stored
        do {
            stored = try JSONDecoder().decode(Stored.self, from: data)
        } catch {
            throw PolicyError("\(file.path) is not a policy: \(error)")
        }
        if let problem = stored.policy.problem { throw PolicyError("\(file.path) holds a policy with a problem: \(problem)") }
        return CachedPolicy(policy: stored.policy, version: stored.version)
    }

    /// Writes `cached` whole and atomically, so a crash leaves the old copy or the new one.
    func save(_ cached: CachedPolicy) throws {
        do {
            try file.write(Stored(version: cached.version, policy: cached.policy))
        } catch {
            throw PolicyError(error.description)
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
