import ColonyCore
import Foundation

/// The format level a node last wrote, in its data directory, written before the node writes
/// a new level (`FormatLevelRefresher`). At start the node writes that level at once, never a
/// lower one, and a build that does not read it refuses to start, naming the level: even when
/// the node's log holds no segment or snapshot of the new level yet (an idle node).
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

    /// Writes `level` whole and atomically.
    func save(_ level: FormatLevel) throws(KeptFileError) {
        try file.write(Stored(level: level.number))
    }
}
