import ColonyStorage
import Foundation

/// The IO of a backup's folder: files written whole and flushed, files read within a bound.
/// The manifest is written last, once every cell file and the folder naming them are flushed,
/// so a folder without one is a backup that did not finish. Like a node's data directory, the
/// folders are its owner's alone (0700) and the files too (0600).
public struct BackupFolder: Sendable {
    /// The folder.
    public let path: String

    /// The folder at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Makes the folder and its `cells` folder for a new backup; refuses a folder that holds
    /// anything already, so no backup is written over another.
    public func create() throws(BackupFolderError) {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw .notEmpty(path)
        }
        do {
            try manager.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try manager.createDirectory(atPath: path + "/" + BackupFormat.cellFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotWrite(path, "\(error)")
        }
    }

    /// Writes `bytes` as `name` inside the folder, flushed to disk before this returns.
    public func write(_ name: String, _ bytes: [UInt8]) throws(BackupFolderError) {
        let full = path + "/" + name
        guard FileManager.default.createFile(atPath: full, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: full)
        else { throw .cannotWrite(full, "cannot create the file") }
        do {
            try handle.write(contentsOf: bytes)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw .cannotWrite(full, "\(error)")
        }
    }

    /// Writes the manifest: first the folder of cell files is flushed (so the names of the
    /// files it lists are durable), then the manifest, then the folder naming it.
    public func writeManifest(_ manifest: BackupManifest) throws(BackupFolderError) {
        try syncFolder(path + "/" + BackupFormat.cellFolder)
        try write(BackupFormat.manifestName, manifest.encoded())
        try syncFolder(path)
    }

    private func syncFolder(_ folder: String) throws(BackupFolderError) {
        do {
            try FileDisk(directory: folder).syncDirectory()
        } catch {
            throw .cannotWrite(folder, "\(error)")
        }
    }

    /// Reads `name` inside the folder, refusing a file longer than `bytesMax` before reading it.
    public func read(_ name: String, bytesMax: Int) -> BackupVerification.FileRead {
        let full = path + "/" + name
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: full) else { return .missing }
        guard attributes[.type] as? FileAttributeType == .typeRegular else { return .unreadable("it is not a regular file") }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size <= bytesMax else { return .tooLarge(bytes: size) }
        guard let handle = FileHandle(forReadingAtPath: full) else { return .unreadable("cannot open it") }
        defer { try? handle.close() }
        do {
            // The file may have grown since its size was read: read one byte past the bound to know.
            let data = try handle.read(upToCount: bytesMax + 1) ?? Data()
            guard data.count <= bytesMax else { return .tooLarge(bytes: data.count) }
            return .bytes([UInt8](data))
        } catch {
            return .unreadable("\(error)")
        }
    }
}

/// Why a backup's folder could not be written.
public enum BackupFolderError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The folder holds files already.
    case notEmpty(String)
    /// A file or folder could not be made or written.
    case cannotWrite(String, String)

    public var description: String {
        switch self {
        case .notEmpty(let path): "the folder \(path) is not empty: back up into a new folder, so no backup is written over another"
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason)"
        }
    }
}
