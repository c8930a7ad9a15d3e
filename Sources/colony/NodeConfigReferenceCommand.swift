import ArgumentParser
import ColonyNode

/// `colony node config-reference`: every field of a node's configuration file, as a Markdown
/// table (the same page as docs/node-configuration.md).
struct NodeConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-reference",
        abstract: "Print every field of a node's configuration file: its type, what holds without it, and what it means.")

    func run() {
        print(NodeConfigReference.markdown(), terminator: "")
    }
}
