import ArgumentParser
import ColonyNode

extension NodeConfig {
    /// The node configuration at `path`, read for a command (`NodeConfig.load`, with its
    /// overrides): a file that cannot be read or checked is the command's invalid input, and
    /// says why.
    static func loadForCommand(path: String, node: UInt32? = nil, dataDirectory: String? = nil) throws -> NodeConfig {
        do {
            return try load(path: path, node: node, dataDirectory: dataDirectory)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
