import ArgumentParser
import ColonyControl
import ColonyPlacement

/// `colony node`: run a node (the default), or change a node's state in the directory.
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a node of a colony, join one, or drain, retire or reactivate one.",
        discussion: "`colony node --config FILE` runs a node; `colony node config-reference` lists every field of that file. join records a new node in the directory; drain, gone and activate change a node's state there; the control loop (`colony control run`) moves the replicas.",
        subcommands: [
            NodeRunCommand.self, NodeConfigReferenceCommand.self, NodeJoinCommand.self, NodeDrainCommand.self, NodeGoneCommand.self,
            NodeActivateCommand.self,
        ],
        defaultSubcommand: NodeRunCommand.self)
}

/// `colony node drain ID`.
struct NodeDrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Move every replica off a node, one membership change at a time.",
        discussion: "The node takes no new replicas; the control loop replaces its replica of each cell through the cell's own log, throttled colony-wide (`colony control throttle`) and stoppable (`colony control pause`). `colony node activate ID` ends the drain.")
    @Argument(help: "The node's id.") var id: UInt32
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await NodeStateSetting.set(.draining, of: id, options: options) { before, count in
            "node \(id) is draining (was \(before)); the control loop moves its \(count) replica\(count == 1 ? "" : "s") off, one change at a time"
        }
    }
}

/// `colony node gone ID`.
struct NodeGoneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gone",
        abstract: "Declare a node lost or retired: its replicas are re-placed on other nodes.",
        discussion: "Final: a gone node never comes back under its id. Each of its replicas is replaced by a new one elsewhere, which catches up from a snapshot and votes once renewed. Every node drops it from its peer book when it next reads the directory: it is not dialled again and its connections are refused.")
    @Argument(help: "The node's id.") var id: UInt32
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await NodeStateSetting.set(.gone, of: id, options: options) { before, count in
            "node \(id) is gone (was \(before)); the control loop re-places its \(count) replica\(count == 1 ? "" : "s")"
        }
    }
}

/// `colony node activate ID`.
struct NodeActivateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Let a draining node take replicas again (ends a drain; the control loop then evens replicas out onto it).")
    @Argument(help: "The node's id.") var id: UInt32
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await NodeStateSetting.set(.active, of: id, options: options) { before, _ in "node \(id) is active (was \(before))" }
    }
}

/// The work shared by the node state commands.
enum NodeStateSetting {
    /// Sets node `id` to `state` and prints `message(previous state, replicas it holds)`.
    static func set(
        _ state: NodeState, of id: UInt32, options: ClientOptions, message: (String, Int) -> String
    ) async throws {
        try await options.withDirectory { directory in
            let (snapshot, _) = try await OperatorCommand.setState(node: id, state).run(directory: directory)
            let before = try NodeStateChange.change(id, to: state, in: snapshot.nodes).before
            let count = snapshot.cells.filter { $0.placement.members.contains { $0.rawValue == id } }.count
            let note = state == .active ? "" : await ClientOptions.pausedNote(directory)
            options.show(message(before.state.rawValue, count) + note, json: ["node": id, "state": state.rawValue, "was": before.state.rawValue, "replicas": count])
        }
    }
}
