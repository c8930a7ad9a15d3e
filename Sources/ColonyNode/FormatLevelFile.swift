import ColonyCore
import Foundation

/// The highest format level a node's colony wrote as the node last read it, in its data
/// directory, written before the node writes a new level, and when it reads one its build does
/// not read (`FormatLevelRefresher`). At start the node writes that level at once, never a
/// lower one, and a build that does not read it refuses to start (exit status 4), naming the
/// level: even when the node's log holds no segment or snapshot of the new level yet.
struct FormatLevelFile: Sendable {
    /// The file's name in the data directory.
    static let name = "format-level.json"

    /// The file.
    let file: KeptJSONFile

    /// The file of the node whose data directory is `directory`.
    init(directory: String) {
        file = KeptJSONFile(directory: directory, name: Self.name, bytesMax: 4_096)
    }

    /// What the file holds on disk.
    private struct Stored: Codable {
        var level: Int
    }

    /// The level number kept, or nil when there is no file; throws a sentence when the file
    /// cannot be read.
    func load() throws(KeptFileError) -> Int? {
        guard let data = try file.read() else { return nil }
        do {
            return try JSONDecoder().decode(Stored.self, from: data).level
        } catch {
            throw KeptFileError("\(file.path) does not hold a format level: \(error)")
        }
    }

    /// Writes the level numbered `level` whole and atomically.
    func save(_ level: Int) throws(KeptFileError) {
        try file.write(Stored(level: level))
    }
}
