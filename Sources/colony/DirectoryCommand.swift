import ArgumentParser
import ColonyClient
import ColonyControl
import ColonyNode
import ColonyPlacement
import Foundation

/// `colony directory init`: makes a colony's directory.
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "The colony's directory: a reserved cell holding its nodes, its cells' placements and the control switches.",
        subcommands: [DirectoryInitCommand.self])
}

/// `colony directory init --config FILE [--replicas N]`.
struct DirectoryInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the directory cell on nodes the placer chooses and record every node of a configuration file.",
        discussion: """
            Reads the nodes (addresses, zone, rack, color) from a node configuration file (any node's: they all list \
            the whole colony) and creates the cell \(ColonyDirectory.cell) with the colony's largest quotas. Safe to run \
            again, for instance after adding nodes to the configuration: recorded nodes keep their state. \
            `colony dev up` runs it for a local colony.
            """)
    @Option(help: "A node configuration file (JSON) listing every node of the colony.") var config: String
    @Option(help: "The directory's replicas (odd, 3 to 9; default: 7, or fewer on a smaller colony).") var replicas: Int?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let nodeConfig = try NodeConfig.loadForCommand(path: config)
        let record = try await DirectoryInitialization.run(config: nodeConfig, replicas: replicas, tls: try options.tls())
        options.show(
            "the directory (\(ColonyDirectory.cell)) is on nodes \(record.placement.members.map(\.description).joined(separator: ",")); \(nodeConfig.nodes.count) nodes recorded",
            json: ["members": record.placement.members.map(\.rawValue), "nodes": nodeConfig.nodes.count])
    }
}

/// The work of `directory init`, shared with `dev up`.
enum DirectoryInitialization {
    /// The directory's replicas on a colony of `nodes` nodes when none are asked for: 7, or
    /// the largest odd count the colony has.
    static func defaultReplicas(nodes: Int) -> Int {
        let most = min(7, nodes)
        return most % 2 == 1 ? most : most - 1
    }

    /// Creates or completes the directory of the colony `config` describes; throws a
    /// `ControlError` saying what failed.
    static func run(config: NodeConfig, replicas: Int?, tls: ClientTLS) async throws -> PlacedCell {
        let count = replicas ?? defaultReplicas(nodes: config.nodes.count)
        guard count % 2 == 1, (PlacementRequest.replicasMin...PlacementRequest.replicasMax).contains(count), count <= config.nodes.count else {
            throw ValidationError("--replicas must be odd, from 3 to 9, and at most the colony's \(config.nodes.count) nodes")
        }
        let client = try ColonyClient(nodes: config.nodes.map(\.clientAddress), tls: tls, policy: ClientOptions.controlPolicy)
        let quota = config.effectiveCellQuotaMax
        do {
            let record = try await DirectoryBootstrap.initialize(
                nodes: config.nodes.map(NodeRecord.init), replicas: count,
                quota: ColonyClient.Quota(keysMax: UInt64(quota.keysMax), bytesMax: UInt64(quota.bytesMax), valueBytesMax: UInt64(quota.valueBytesMax)),
                client: client)
            await client.close()
            return record
        } catch {
            await client.close()
            throw error
        }
    }
}

extension NodeRecord {
    /// The directory's record of a node as its configuration declares it, active.
    init(_ address: NodeAddress) {
        self.init(
            id: address.node, peerAddress: address.peerAddress, clientAddress: address.clientAddress, adminAddress: address.adminAddress,
            zone: address.zoneName, rack: address.rackName, color: address.colorName)
    }
}
