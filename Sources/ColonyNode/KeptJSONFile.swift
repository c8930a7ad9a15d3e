import ColonyStorage
import Foundation

/// A JSON file a node keeps in its data directory (its policy, its peer book, its format
/// level): read only up to `bytesMax`, as untrusted input, and written whole and atomically
/// (`Disk.replaceAtomically`: a synced temporary file renamed over the file, then the
/// directory synced), so a crash leaves the old copy or the new one.
struct KeptJSONFile: Sendable {
    /// The node's data directory.
    let directory: String
    /// The file's name in it.
    let name: String
    /// The largest file read.
    let bytesMax: Int

    /// The file's path.
    var path: String { directory + "/" + name }

    /// The file's bytes, or nil when there is no file; throws a sentence when it cannot be
    /// read or is larger than `bytesMax`.
    func read() throws(KeptFileError) -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw KeptFileError("cannot read \(path)") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: bytesMax + 1) ?? Data()
        } catch {
            throw KeptFileError("cannot read \(path): \(error)")
        }
        guard data.count <= bytesMax else { throw KeptFileError("\(path) is larger than \(bytesMax) bytes") }
        return data
    }

    /// Writes `value` as JSON, its keys sorted, whole and atomically.
    func write(_ value: some Encodable) throws(KeptFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            try FileDisk(directory: directory).replaceAtomically(name, with: Array(try encoder.encode(value)))
        } catch {
            throw KeptFileError("cannot write \(path): \(error)")
        }
    }
}

/// Why a kept file could not be read or written, in a sentence naming it.
struct KeptFileError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
