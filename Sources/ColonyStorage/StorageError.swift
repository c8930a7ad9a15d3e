/// Why storage could not open, write or recover.
public enum StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A file operation failed.
    case disk(DiskError)
    /// The key file is unusable.
    case badKey(String)
    /// The stored data was sealed with another key (or sealed where no key was given, or the
    /// other way round).
    case wrongKey(String)
    /// A file is not a Colony file of a version this program reads.
    case unsupported(String)

    public var description: String {
        switch self {
        case .disk(let error):
            return "storage: \(error)"
        case .badKey(let text):
            return "storage key: \(text)"
        case .wrongKey(let text):
            return "storage key: \(text); start the node with the key the data was written with"
        case .unsupported(let text):
            return "storage: \(text)"
        }
    }
}
