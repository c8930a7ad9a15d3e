import Foundation

/// Refuses a key file that other users may read, unless the configuration accepts it.
enum KeyFileAccess {
    /// The permission bits that let the file's group or anyone else read it.
    static let readableByOthersMode: mode_t = 0o044

    /// Throws if the file at `path` can be read by users other than its owner and
    /// `acceptsReadableByOthers` is false. A file that cannot be looked at is left for the
    /// key reader to report.
    static func check(_ path: String, acceptsReadableByOthers: Bool) throws(NodeStartError) {
        var status = stat()
        guard !acceptsReadableByOthers, stat(path, &status) == 0 else { return }
        let mode = status.st_mode & 0o777
        guard mode & readableByOthersMode == 0 else {
            throw .keyFileReadableByOthers(path: path, mode: mode)
        }
    }
}
