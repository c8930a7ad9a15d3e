import ArgumentParser
import ColonyNode
import Foundation

/// `colony version`: the release of this executable and the format levels it reads, with
/// the versions of each format they span, so an operator can tell which builds of a colony can
/// talk to each other and read each other's data (`colony --version` prints the release alone).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print this build's release, the format levels it reads, and their peer protocol and storage format versions.",
        discussion: """
            A colony's nodes write the format level its directory records (level 1 until `colony upgrade \
            finish` raises it), so builds that read that level work side by side. A node refuses a peer's \
            frame, a write-ahead log segment or a snapshot of a level it does not read, naming the versions \
            it reads. Each node reports the same facts as the labels of its `colony_build_info` metric, and \
            the level it writes as `colony_format_level`; `colony upgrade status` shows them for every node.
            """
    )

    @Flag(help: "Print JSON, for scripts.")
    var json = false

    func run() throws {
        if json {
            let object = Dictionary(uniqueKeysWithValues: NodeBuild.facts.map { ($0.name, $0.value) })
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let facts = Dictionary(uniqueKeysWithValues: NodeBuild.facts.map { ($0.name, $0.value) })
            print("colony \(NodeBuild.version)")
            print("format levels read: \(facts["format_levels"] ?? "")")
            print("peer protocol: versions \(facts["peer_protocol"] ?? "")")
            print("write-ahead log segments: formats \(facts["segment_format"] ?? "")")
            print("snapshots: formats \(facts["snapshot_format"] ?? "")")
        }
    }
}
