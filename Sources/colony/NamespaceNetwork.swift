import Foundation

/// What making network namespaces needs from this machine: root, `ip` (iproute2) and
/// `iptables`, found on PATH or in the system folders.
struct NetworkTools: Sendable {
    /// The path of `ip`.
    var ip: String
    /// The path of `iptables`.
    var iptables: String

    /// The folders searched for the tools after PATH.
    static let systemFolders = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]

    /// The tools, or what is missing, named in a sentence that says how to get it: searched
    /// for in `folders` (by default PATH's, then the system's), for a user who is `root` or not.
    static func locate(
        root: Bool = geteuid() == 0,
        folders: [String] = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + systemFolders
    ) -> Result<NetworkTools, CommandFailure> {
        let find = { (name: String) in
            folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }
        let ip = find("ip")
        let iptables = find("iptables")
        var missing: [String] = []
        if !root { missing.append("root (network namespaces and iptables need it; run as root)") }
        if ip == nil { missing.append("ip (Debian: apt-get install iproute2)") }
        if iptables == nil { missing.append("iptables (Debian: apt-get install iptables)") }
        guard let ip, let iptables, missing.isEmpty else {
            return .failure(CommandFailure(.unavailable, "a colony in network namespaces needs " + missing.joined(separator: ", ")))
        }
        return .success(NetworkTools(ip: ip, iptables: iptables))
    }

    /// Why namespaces cannot be made here, or nil if they can.
    static var missing: String? {
        if case .failure(let failure) = locate() { return failure.message }
        return nil
    }
}

/// A private network of namespaces made on this machine from a `NamespacePlan`: made by
/// `create`, faults put on and taken off its members with `iptables` inside their namespaces,
/// and removed whole by `tearDown` (safe to call more than once, and from a signal handler's
/// queue: it only runs `ip`).
final class NamespaceNetwork: Sendable {
    /// What the network is made of.
    let plan: NamespacePlan
    /// The tools it runs.
    let tools: NetworkTools

    private init(plan: NamespacePlan, tools: NetworkTools) {
        self.plan = plan
        self.tools = tools
    }

    /// Makes a network of `members` members under a new run id, on a subnet no address of the
    /// root namespace uses; on a failure, removes what it made and throws.
    static func create(members: Int, tools: NetworkTools) throws -> NamespaceNetwork {
        let runID = String(format: "%08x", UInt32.random(in: 0...UInt32.max))
        let addresses = try SystemCommand.run(tools.ip, ["-o", "-4", "addr", "show"])
        let taken = NamespacePlan.takenSubnets(addressList: addresses)
        guard let subnet = NamespacePlan.freeSubnet(from: UInt8.random(in: 0...255), taken: taken) else {
            throw CommandFailure(.unavailable, "every subnet of \(NamespacePlan.addressPrefix)0.0/16 is in use on this machine")
        }
        let network = NamespaceNetwork(plan: NamespacePlan(runID: runID, subnet: subnet, members: members), tools: tools)
        do {
            for command in network.plan.setUp {
                _ = try SystemCommand.run(tools.ip, command)
            }
        } catch {
            network.tearDown()
            throw error
        }
        return network
    }

    /// The command prefix that runs a program inside `member`'s namespace.
    func inside(_ member: Int) -> [String] {
        plan.inside(member, ip: tools.ip)
    }

    /// Runs `rules`, each inside its member's namespace, stopping at the first that fails.
    func apply(_ rules: [NamespacedRule]) throws {
        for rule in rules {
            _ = try SystemCommand.run(tools.ip, ["netns", "exec", plan.namespace(rule.member), tools.iptables] + rule.arguments)
        }
    }

    /// Removes every namespace, veth and the bridge of this network, whatever is left of them;
    /// the names still there afterwards, if any.
    @discardableResult
    func tearDown() -> [String] {
        for command in plan.tearDown {
            _ = try? SystemCommand.run(tools.ip, command)
        }
        return leftovers
    }

    /// The names of this network that exist now: its namespaces, veths and bridge.
    var leftovers: [String] {
        let namespaces = plan.memberNumbers.map(plan.namespace).filter { FileManager.default.fileExists(atPath: "/run/netns/\($0)") }
        let links = (plan.memberNumbers.map(plan.veth) + [plan.bridge]).filter { FileManager.default.fileExists(atPath: "/sys/class/net/\($0)") }
        return namespaces + links
    }
}
