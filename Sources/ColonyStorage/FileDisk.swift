import Foundation
import SystemPackage

/// The real disk: files in one directory, written with POSIX calls. Files being appended to
/// stay open, so an append costs one `write` and a sync one `fsync`.
public final class FileDisk: Disk {
    /// The directory holding the files.
    public let directory: FilePath
    private var openFiles: [String: FileDescriptor] = [:]

    /// Opens the directory `path`, creating it and its parents if needed.
    public init(directory path: String) throws(DiskError) {
        directory = FilePath(path)
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DiskError(operation: "mkdir", path: path, reason: "\(error.localizedDescription)")
        }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
            throw DiskError(operation: "open", path: path, reason: "not a directory")
        }
    }

    deinit {
        for descriptor in openFiles.values {
            try? descriptor.close()
        }
    }

    private func path(_ name: String) -> FilePath {
        directory.appending(name)
    }

    private func failure(_ operation: String, _ name: String, _ error: any Error) -> DiskError {
        DiskError(operation: operation, path: path(name).string, reason: "\(error)")
    }

    private func descriptor(_ name: String) throws(DiskError) -> FileDescriptor {
        if let open = openFiles[name] { return open }
        do {
            let opened = try FileDescriptor.open(
                path(name), .readWrite, options: [.create, .append], permissions: [.ownerReadWrite])
            openFiles[name] = opened
            return opened
        } catch {
            throw failure("open", name, error)
        }
    }

    private func close(_ name: String) {
        if let open = openFiles.removeValue(forKey: name) {
            try? open.close()
        }
    }

    public func fileNames() throws(DiskError) -> [String] {
        guard let handle = opendir(directory.string) else {
            throw DiskError(operation: "opendir", path: directory.string, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    public func size(of name: String) throws(DiskError) -> Int {
        var status = stat()
        guard stat(path(name).string, &status) == 0 else {
            throw DiskError(operation: "stat", path: path(name).string, reason: String(cString: strerror(errno)))
        }
        return Int(status.st_size)
    }

    public func read(_ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8] {
        // A file not being appended to (a snapshot, an old segment) is opened for the read
        // alone: kept open, a recovery of a million snapshot files would run out of descriptors.
        if openFiles[name] == nil {
            let file: FileDescriptor
            do {
                file = try FileDescriptor.open(path(name), .readOnly)
            } catch {
                throw failure("open", name, error)
            }
            defer { try? file.close() }
            return try read(file, name, offset: offset, count: count)
        }
        return try read(try descriptor(name), name, offset: offset, count: count)
    }

    private func read(_ file: FileDescriptor, _ name: String, offset: Int, count: Int) throws(DiskError) -> [UInt8] {
        do {
            // Read straight into the array's storage: no zero-filling of a buffer the read
            // overwrites anyway.
            return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                while initialized < count {
                    let read = try file.read(
                        fromAbsoluteOffset: Int64(offset + initialized),
                        into: UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[initialized...]))
                    if read == 0 { break }
                    initialized += read
                }
            }
        } catch {
            throw failure("read", name, error)
        }
    }

    public func prefetch(_ name: String) {
        if let open = openFiles[name] {
            _ = posix_fadvise(open.rawValue, 0, 0, POSIX_FADV_WILLNEED)
            return
        }
        // The hint outlives the descriptor: the kernel reads ahead into its page cache.
        guard let file = try? FileDescriptor.open(path(name), .readOnly) else { return }
        _ = posix_fadvise(file.rawValue, 0, 0, POSIX_FADV_WILLNEED)
        try? file.close()
    }

    public func append(_ name: String, _ bytes: [UInt8]) throws(DiskError) {
        let file = try descriptor(name)
        do {
            _ = try file.writeAll(bytes)
        } catch {
            throw failure("write", name, error)
        }
    }

    public func sync(_ name: String) throws(DiskError) {
        let file = try descriptor(name)
        guard fsync(file.rawValue) == 0 else {
            throw DiskError(operation: "fsync", path: path(name).string, reason: String(cString: strerror(errno)))
        }
    }

    public func truncate(_ name: String, to size: Int) throws(DiskError) {
        let file = try descriptor(name)
        do {
            try file.resize(to: Int64(size))
        } catch {
            throw failure("ftruncate", name, error)
        }
    }

    public func rename(_ name: String, to newName: String) throws(DiskError) {
        close(name)
        close(newName)
        guard Glibc.rename(path(name).string, path(newName).string) == 0 else {
            throw DiskError(operation: "rename", path: path(name).string, reason: String(cString: strerror(errno)))
        }
    }

    public func remove(_ name: String) throws(DiskError) {
        close(name)
        guard unlink(path(name).string) == 0 || errno == ENOENT else {
            throw DiskError(operation: "unlink", path: path(name).string, reason: String(cString: strerror(errno)))
        }
    }

    public func syncDirectory() throws(DiskError) {
        let handle = open(directory.string, O_RDONLY | O_DIRECTORY)
        guard handle >= 0 else {
            throw DiskError(operation: "open", path: directory.string, reason: String(cString: strerror(errno)))
        }
        defer { Glibc.close(handle) }
        guard fsync(handle) == 0 else {
            throw DiskError(operation: "fsync", path: directory.string, reason: String(cString: strerror(errno)))
        }
    }
}
