import Testing
@testable import colony

/// The plan of a namespaced colony's network and of the iptables rules of its faults: the
/// exact `ip` and `iptables` argument lists, checked without running them.
@Suite("network namespaces and iptables rules, planned")
struct NetworkFaultPlanningTests {
    let plan = NamespacePlan(runID: "0a1b2c3d", subnet: 42, members: 3)

    @Test("every name carries the run's id, and interface names fit the kernel's 15 characters")
    func names() {
        #expect(plan.bridge == "cb0a1b2c3d" && plan.veth(3) == "cv0a1b2c3d3" && plan.namespace(2) == "colony-0a1b2c3d-2")
        #expect(plan.addresses == ["10.77.42.1", "10.77.42.2", "10.77.42.3"] && plan.bridgeAddress == "10.77.42.254")
        let widest = NamespacePlan(runID: "ffffffff", subnet: 0, members: NamespacePlan.membersMax)
        #expect(widest.veth(NamespacePlan.membersMax).count <= 15 && widest.bridge.count <= 15)
        #expect(plan.inside(2, ip: "/usr/sbin/ip") == ["/usr/sbin/ip", "netns", "exec", "colony-0a1b2c3d-2"])
    }

    @Test("setting up makes the bridge with an address, then per member a namespace, a veth on the bridge and the member's address")
    func setUp() {
        let commands = plan.setUp
        #expect(Array(commands.prefix(3)) == [
            ["link", "add", "cb0a1b2c3d", "type", "bridge"],
            ["addr", "add", "10.77.42.254/24", "dev", "cb0a1b2c3d"],
            ["link", "set", "cb0a1b2c3d", "up"],
        ])
        #expect(Array(commands[3..<9]) == [
            ["netns", "add", "colony-0a1b2c3d-1"],
            ["link", "add", "cv0a1b2c3d1", "type", "veth", "peer", "name", "eth0", "netns", "colony-0a1b2c3d-1"],
            ["link", "set", "cv0a1b2c3d1", "master", "cb0a1b2c3d", "up"],
            ["-n", "colony-0a1b2c3d-1", "addr", "add", "10.77.42.1/24", "dev", "eth0"],
            ["-n", "colony-0a1b2c3d-1", "link", "set", "eth0", "up"],
            ["-n", "colony-0a1b2c3d-1", "link", "set", "lo", "up"],
        ])
        #expect(commands.count == 3 + 3 * 6)
    }

    @Test("tearing down removes each veth and namespace of this run, then its bridge, and nothing else")
    func tearDown() {
        #expect(plan.tearDown == [
            ["link", "del", "cv0a1b2c3d1"], ["netns", "del", "colony-0a1b2c3d-1"],
            ["link", "del", "cv0a1b2c3d2"], ["netns", "del", "colony-0a1b2c3d-2"],
            ["link", "del", "cv0a1b2c3d3"], ["netns", "del", "colony-0a1b2c3d-3"],
            ["link", "del", "cb0a1b2c3d"],
        ])
    }

    @Test("a new network takes a subnet no address of the machine uses")
    func subnets() {
        let addresses = """
            1: lo    inet 127.0.0.1/8 scope host lo
            7: cbaaaaaaaa    inet 10.77.42.254/24 scope global cbaaaaaaaa
            9: cbbbbbbbbb    inet 10.77.43.254/24 scope global cbbbbbbbbb
            4: eth0    inet 10.0.77.5/24 brd 10.0.77.255 scope global eth0
            """
        let taken = NamespacePlan.takenSubnets(addressList: addresses)
        #expect(taken == [42, 43])
        #expect(NamespacePlan.freeSubnet(from: 42, taken: taken) == 44)
        #expect(NamespacePlan.freeSubnet(from: 255, taken: [255]) == 0)
        #expect(NamespacePlan.freeSubnet(from: 9, taken: Set(0...255)) == nil)
    }

    @Test("a partition drops the cut members' traffic to and from every other member, inside the cut members' namespaces")
    func partition() {
        let rules = NetworkFaultRules.partition([2], among: [1, 2, 3], plan: plan)
        #expect(rules == [
            NamespacedRule(member: 2, arguments: ["-w", "-A", "OUTPUT", "-d", "10.77.42.1", "-j", "DROP"]),
            NamespacedRule(member: 2, arguments: ["-w", "-A", "INPUT", "-s", "10.77.42.1", "-j", "DROP"]),
            NamespacedRule(member: 2, arguments: ["-w", "-A", "OUTPUT", "-d", "10.77.42.3", "-j", "DROP"]),
            NamespacedRule(member: 2, arguments: ["-w", "-A", "INPUT", "-s", "10.77.42.3", "-j", "DROP"]),
        ])
        let zone = NetworkFaultRules.partition([1, 4], among: [1, 2, 3, 4, 5], plan: NamespacePlan(runID: "0a1b2c3d", subnet: 42, members: 5))
        #expect(Set(zone.map(\.member)) == [1, 4] && zone.count == 2 * 3 * 2)
        #expect(!zone.contains { $0.arguments.contains("10.77.42.4") && $0.member == 1 }, "a zone's members still talk to each other")
        #expect(!rules.contains { $0.arguments.contains(plan.bridgeAddress) }, "clients in the root namespace still reach the node")
    }

    @Test("a loss drops each packet to and from every other member with the given probability")
    func loss() {
        let rules = NetworkFaultRules.loss(1, probability: 0.2, among: [1, 2, 3], plan: plan)
        let random = ["-m", "statistic", "--mode", "random", "--probability", "0.2", "-j", "DROP"]
        #expect(rules == [
            NamespacedRule(member: 1, arguments: ["-w", "-A", "OUTPUT", "-d", "10.77.42.2"] + random),
            NamespacedRule(member: 1, arguments: ["-w", "-A", "INPUT", "-s", "10.77.42.2"] + random),
            NamespacedRule(member: 1, arguments: ["-w", "-A", "OUTPUT", "-d", "10.77.42.3"] + random),
            NamespacedRule(member: 1, arguments: ["-w", "-A", "INPUT", "-s", "10.77.42.3"] + random),
        ])
    }

    @Test("healing deletes exactly the rules a fault appended, last first; a flush empties both chains")
    func healing() {
        let rules = NetworkFaultRules.partition([3], among: [1, 3], plan: plan)
        #expect(NetworkFaultRules.removing(rules) == [
            NamespacedRule(member: 3, arguments: ["-w", "-D", "INPUT", "-s", "10.77.42.1", "-j", "DROP"]),
            NamespacedRule(member: 3, arguments: ["-w", "-D", "OUTPUT", "-d", "10.77.42.1", "-j", "DROP"]),
        ])
        #expect(NetworkFaultRules.flush(2) == [
            NamespacedRule(member: 2, arguments: ["-w", "-F", "INPUT"]), NamespacedRule(member: 2, arguments: ["-w", "-F", "OUTPUT"]),
        ])
    }

    @Test("without root, ip or iptables, a namespaced colony is refused with what is missing and how to get it")
    func refusal() {
        guard case .failure(let failure) = NetworkTools.locate(root: false, folders: []) else {
            Issue.record("located tools in no folder")
            return
        }
        #expect(failure.status == .unavailable)
        #expect(failure.message == "a colony in network namespaces needs root (network namespaces and iptables need it; run as root), ip (Debian: apt-get install iproute2), iptables (Debian: apt-get install iptables)")
    }

    @Test("network faults need --network namespaces, and a zone partition asked for no zone larger than --broken-max")
    func validation() throws {
        #expect(throws: (any Error).self) { try ChaosCommand.parse(["--faults", "partition"]) }
        #expect(throws: (any Error).self) { try ChaosCommand.parse(["--network", "namespaces", "--nodes", "4", "--faults", "zone-partition"]) }
        #expect(throws: (any Error).self) { try ChaosCommand.parse(["--network", "namespaces", "--packet-loss", "0"]) }
        _ = try ChaosCommand.parse(["--network", "namespaces", "--nodes", "5", "--faults", "zone-partition,loss"])
        _ = try ChaosCommand.parse(["--network", "namespaces", "--nodes", "4", "--broken-max", "2"])
        // Asked for no kinds in particular, a colony whose zones are too large draws no zone partition.
        _ = try ChaosCommand.parse(["--network", "namespaces", "--nodes", "4"])
    }
}
