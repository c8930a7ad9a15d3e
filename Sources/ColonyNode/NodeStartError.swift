import Foundation

/// Why a node could not start, beyond its configuration and storage errors.
public enum NodeStartError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The client port could not be opened.
    case clientPortUnavailable(String)
    /// Another process holds the data directory's lock: another node runs on it, or this
    /// node runs already. `holder` is its process id, if its lock file says.
    case dataDirectoryInUse(directory: String, holder: Int32?)
    /// The data directory or its lock file could not be made or opened.
    case dataDirectoryUnusable(directory: String, reason: String)
    /// The key file can be read by users other than its owner, and the configuration does
    /// not accept that.
    case keyFileReadableByOthers(path: String, mode: mode_t)
    /// A testing fault (the disk stall lock) was asked of a node whose colony is not a
    /// development one.
    case testFaultsRefused(colony: String)
    /// The disk stall lock file could not be made or opened.
    case diskStallLockUnusable(path: String, reason: String)
    /// The node last wrote format level `kept` (its data directory's `FormatLevelFile`), which
    /// this build, reading the levels `read`, does not read.
    case formatLevelUnread(kept: Int, read: String)

    public var description: String {
        switch self {
        case .clientPortUnavailable(let address):
            return "cannot listen for clients on \(address); is another process using it?"
        case .dataDirectoryInUse(let directory, let holder):
            let who = holder.map { "process \($0)" } ?? "another process (its id is not written in the lock file yet)"
            return "the data directory \(directory) is in use by \(who), which holds \(directory)/\(DataDirectoryLock.fileName): "
                + "another node runs on it, or this node runs already. Stop that process, or give this node a data directory of its own"
        case .dataDirectoryUnusable(let directory, let reason):
            return "cannot use the data directory \(directory): \(reason)"
        case .keyFileReadableByOthers(let path, let mode):
            return "the key file \(path) can be read by users other than its owner (mode \(String(mode, radix: 8))), and whoever reads it "
                + "can read this node's data. Make it readable by its owner only (chmod 600 \(path)), or accept it by setting "
                + "\"keyFileReadableByOthers\": true in the node's configuration"
        case .testFaultsRefused(let colony):
            return "the disk stall lock is a testing fault, and colony \(colony) is not a development colony: only a colony named "
                + "\"\(NodeConfig.developmentColony)\" (as `colony dev up` and `colony chaos` name theirs) takes it"
        case .diskStallLockUnusable(let path, let reason):
            return "cannot open the disk stall lock \(path): \(reason)"
        case .formatLevelUnread(let kept, let read):
            return "this node's data is of format level \(kept) (its colony raised the level), and this build (\(NodeBuild.version)) reads "
                + "format levels \(read): run a build that reads level \(kept); `colony upgrade status` shows what the other nodes run"
        }
    }
}
