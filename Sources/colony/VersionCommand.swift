import ArgumentParser
import ColonyNode
import Foundation

/// `colony version`: the release of this executable and the formats it speaks and stores, so
/// an operator can tell which builds of a colony can talk to each other and read each other's
/// data (`colony --version` prints the release alone).
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print this build's release, peer protocol and storage format versions.",
        discussion: """
            Nodes of one colony must speak the same peer protocol; a node refuses a peer's frame of \
            another version, and a write-ahead log segment of another format, naming both versions. \
            Each node reports the same facts as the labels of its `colony_build_info` metric.
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
            print("colony \(NodeBuild.version)")
            print("peer protocol: \(NodeBuild.peerProtocol)")
            print("write-ahead log segments: format \(NodeBuild.segmentFormat)")
            print("snapshots: format \(NodeBuild.snapshotFormat)")
        }
    }
}
