import Foundation

/// A local colony whose nodes each run in a network namespace of their own, on a private
/// network of this machine (`NamespaceNetwork`): node `i` listens and advertises on member
/// `i`'s address, its certificate names that address, and faults can be put on its traffic
/// with `iptables` inside its namespace. Processes of the root namespace (the commands'
/// clients) reach every node through the network's bridge.
///
/// `stop` stops the nodes by pid and then removes the whole network; a failure to start
/// removes whatever was made.
struct NamespacedColony: Sendable {
    /// The node processes.
    let nodes: LocalNodes
    /// The network they run on.
    let network: NamespaceNetwork

    /// Makes a network of `count` members and starts `count` nodes on it, spread over `zones`
    /// zones, in `directory`, as `LocalNodes.start` does. `announceNetwork` is told the network
    /// as soon as it is made, `announceNodes` the nodes before the first starts, so that whoever
    /// must clean up on an interruption finds everything.
    static func start(
        count: Int, directory: String, zones: Int = 3, tools: NetworkTools, logLevel: String = "warning", diskStallLocks: Bool = false,
        announceNetwork: (NamespaceNetwork) -> Void = { _ in }, announceNodes: (LocalNodes) -> Void = { _ in }
    ) async throws -> NamespacedColony {
        let network = try NamespaceNetwork.create(members: count, tools: tools)
        announceNetwork(network)
        do {
            let wrappers = Dictionary(uniqueKeysWithValues: network.plan.memberNumbers.map { (UInt32($0), network.inside($0)) })
            let nodes = try await LocalNodes.start(
                count: count, directory: directory, zones: zones, logLevel: logLevel, diskStallLocks: diskStallLocks,
                hosts: network.plan.addresses, wrappers: wrappers, announce: announceNodes)
            return NamespacedColony(nodes: nodes, network: network)
        } catch {
            network.tearDown()
            throw error
        }
    }

    /// Stops every node, then removes the network; the names of the network still there
    /// afterwards, if any.
    @discardableResult
    func stop() -> [String] {
        nodes.stopAll()
        return network.tearDown()
    }
}
