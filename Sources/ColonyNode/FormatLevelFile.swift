import ColonyCore
import ColonyStorage
import Foundation

/// The format level a node last wrote, in its data directory, written before the node writes
/// a new level (`FormatLevelRefresher`). At start the node writes that level at once, never a
/// lower one, and a build that does not read it refuses to start, naming the level: even when
/// the node's log holds no segment or snapshot of the new level yet (an idle node).
struct FormatLevelFile: Sendable {
    /// The file's name in the data directory.
    static let name = "format-level.json"
    /// The largest file read.
    static let bytesMax = 4_096

    /// The node's data directory.
    let directory: String
    /// The file's path.
    var path: String { directory + "/" + Self.name }

    /// What the file holds on disk.
    private struct Stored: Codable {
        var level: Int
    }

    /// The level number kept, or nil when there is no file; throws a sentence when the file
    /// cannot be read.
    func load() throws -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path), data.count <= Self.bytesMax else {
            throw FormatLevelFileError("cannot read \(path), or it is above \(Self.bytesMax) bytes")
        }
        do {
            return try JSONDecoder().decode(Stored.self, from: data).level
        } catch {
            throw FormatLevelFileError("\(path) does not hold a format level: \(error)")
        }
    }

    /// Writes `level` whole and atomically (a synced temporary file renamed over the file,
    /// then the directory synced).
    func save(_ level: FormatLevel) throws {
        let bytes = Array(try JSONEncoder().encode(Stored(level: level.number)))
        do {
            try FileDisk(directory: directory).replaceAtomically(Self.name, with: bytes)
        } catch {
            throw FormatLevelFileError("cannot write \(path): \(error)")
        }
    }
}

/// Why the format level file could not be read or written.
struct FormatLevelFileError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
