import ColonyControl
import ColonyJSON
import Foundation

/// The node records a node last read from the directory, kept in its data directory, so a
/// node restarted while the directory is unreachable still knows the peers that joined
/// after its configuration was written.
///
/// The file is untrusted input like any other: it is read only up to `bytesMax`, decoded
/// strictly (an unknown key is refused), and each record checked as the directory's are
/// (`PeerBook.check`). A file that fails is reported and the node starts from its seed
/// alone, learning the rest from the directory: the file is a cache, never the truth.
struct PeerBookFile: Sendable {
    /// The file's name in the data directory.
    static let name = "peer-book.json"
    /// The version of the file's layout.
    static let version = 1

    /// The largest file read: `PeerBook.recordsMax` records of a few hundred bytes each.
    static let bytesMax = 8 * 1024 * 1024

    /// The file.
    let file: KeptJSONFile

    /// The file of the node whose data directory is `directory`.
    init(directory: String) {
        file = KeptJSONFile(directory: directory, name: Self.name, bytesMax: Self.bytesMax)
    }

    /// The file's path.
    var path: String { file.path }

    /// What the file holds.
    private struct Stored: Codable {
        var version: Int
        var nodes: [NodeRecord]
    }

    /// The records kept, or nil when there is no file; throws when the file cannot be read
    /// or holds anything but valid records.
    func load() throws(PeerBookError) -> [NodeRecord]? {
        let data: Data
        do {
            guard let read = try file.read() else { return nil }
            data = read
        } catch {
            throw PeerBookError(error.description)
        }
        let stored: Stored
        do {
            stored = try StrictJSON.decode(Stored.self, from: data)
        } catch {
            throw PeerBookError("\(path) is not a peer book: \(error.description)")
        }
        guard stored.version == Self.version else {
            throw PeerBookError("\(path) has layout version \(stored.version); this node reads version \(Self.version)")
        }
        do {
            try PeerBook.check(stored.nodes)
        } catch {
            throw PeerBookError("\(path): \(error.description)")
        }
        return stored.nodes
    }

    /// Writes `records` whole and atomically (`Disk.replaceAtomically`), so a crash leaves
    /// the old copy or the new one.
    func save(_ records: [NodeRecord]) throws(PeerBookError) {
        do {
            try file.write(Stored(version: Self.version, nodes: records))
        } catch {
            throw PeerBookError(error.description)
        }
    }
}
