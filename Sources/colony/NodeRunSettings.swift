import ArgumentParser

/// What `colony node run` starts from: the configuration file, and the two settings that
/// differ from node to node when every node of a StatefulSet or a fleet shares one file, its
/// id and its data directory. Each comes from its flag, else from the environment (as a
/// container sets it), else from the file.
struct NodeRunSettings {
    /// The variable naming the configuration file.
    static let configVariable = "COLONY_CONFIG"
    /// The variable of the node's id, overriding the file's `node`.
    static let nodeVariable = "COLONY_NODE_ID"
    /// The variable of the node's data directory, overriding the file's `dataDirectory`.
    static let dataDirectoryVariable = "COLONY_DATA_DIRECTORY"

    /// The configuration file.
    var configPath: String
    /// The node's id, if it overrides the file's.
    var node: UInt32?
    /// The data directory, if it overrides the file's.
    var dataDirectory: String?

    /// Resolves the flags against `environment`; a missing file or an id that is not one is
    /// a usage error naming the flag and the variable.
    init(config: String?, node: UInt32?, dataDirectory: String?, environment: [String: String]) throws(ValidationError) {
        let set = environment.filter { !$0.value.isEmpty }
        guard let path = config ?? set[Self.configVariable] else {
            throw ValidationError("name the node's configuration file: --config FILE, or \(Self.configVariable)")
        }
        configPath = path
        if let node {
            self.node = node
        } else if let text = set[Self.nodeVariable] {
            guard let id = UInt32(text), id != 0 else {
                throw ValidationError("\(Self.nodeVariable) is \"\(text.prefix(40))\", not a node id (1 to \(UInt32.max))")
            }
            self.node = id
        }
        self.dataDirectory = dataDirectory ?? set[Self.dataDirectoryVariable]
    }
}
