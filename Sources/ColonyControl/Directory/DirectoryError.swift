import ColonyClient

/// Why the directory could not be read or written, or refused a change. Each says what to do.
public enum DirectoryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directory cell did not answer: a majority of its members is down or cut off.
    case unreachable(String)
    /// The colony has no directory cell.
    case missing
    /// A record holds something other than what its key calls for.
    case malformedRecord(key: String, reason: String)
    /// The directory has no record of this node.
    case unknownNode(UInt32)
    /// The directory has no record of this cell.
    case unknownCell(String)
    /// A write the directory refused (a quota, a bad value).
    case refused(String)
    /// The colony's authorization refused this identity the read or write.
    case unauthorized(String)

    public var description: String {
        switch self {
        case .unreachable(let detail):
            return "the directory (cell \(ColonyDirectory.cell)) is unreachable: \(detail). Existing cells keep serving and clients keep working from their caches; placing, moving and draining wait until a majority of the directory's members is back"
        case .missing:
            return "this colony has no directory (cell \(ColonyDirectory.cell)); make one with `colony directory init --config NODE_CONFIG`"
        case .malformedRecord(let key, let reason):
            return "the directory's record \(key) is malformed: \(reason); rewrite it (for nodes, `colony directory init` again) or delete it"
        case .unknownNode(let id):
            return "the directory has no node \(id); `colony directory init` records the nodes of a configuration file"
        case .unknownCell(let name):
            return "the directory has no record of cell \(name); cells made with `colony cell create` are recorded"
        case .refused(let detail):
            return "the directory refused a write: \(detail)"
        case .unauthorized(let detail):
            return "the directory refused this client: \(detail)"
        }
    }
}
