/// The plan of a private network on this machine, one network namespace per member (a node
/// process, or any other process that needs an address of its own): a bridge in the root
/// namespace with an address of its own, so processes there (a load's client, a watch) reach
/// every member; and per member a namespace, a veth pair whose root side is on the bridge and
/// whose other side is the namespace's `eth0`, with the member's address on it.
///
/// Every name carries the run's id, so two runs, or a run and what a crashed earlier one left,
/// never collide, and tearing one down removes only its own. Pure: it only spells out the `ip`
/// commands that `NamespaceNetwork` runs.
struct NamespacePlan: Equatable, Sendable {
    /// Eight lowercase hexadecimal digits naming the run.
    let runID: String
    /// The third byte of the network's addresses: members are `10.77.S.1` upwards.
    let subnet: UInt8
    /// How many members the network has, numbered from 1.
    let members: Int

    /// The most members a network holds (addresses .1 to .99; the bridge has .254).
    static let membersMax = 99
    /// The first two bytes of every address of these networks.
    static let addressPrefix = "10.77."

    /// A plan for `members` members named by `runID` on subnet `subnet`.
    init(runID: String, subnet: UInt8, members: Int) {
        precondition(runID.count == 8 && runID.allSatisfy(\.isHexDigit), "Invalid state: a run id is eight hex digits")
        precondition((1...Self.membersMax).contains(members), "Invalid state: unchecked member count")
        self.runID = runID
        self.subnet = subnet
        self.members = members
    }

    /// The members' numbers.
    var memberNumbers: ClosedRange<Int> { 1...members }

    /// The bridge in the root namespace (interface names hold at most 15 characters).
    var bridge: String { "cb\(runID)" }
    /// The bridge's own address, which processes of the root namespace send from.
    var bridgeAddress: String { address(254) }

    /// The network namespace of `member`.
    func namespace(_ member: Int) -> String { "colony-\(runID)-\(member)" }
    /// The root side of `member`'s veth pair.
    func veth(_ member: Int) -> String { "cv\(runID)\(member)" }
    /// The address of `member`, on its namespace's `eth0`.
    func address(_ member: Int) -> String { "\(Self.addressPrefix)\(subnet).\(member)" }
    /// The addresses of every member, in member order.
    var addresses: [String] { memberNumbers.map(address) }

    /// The `ip` commands that make the network, in order.
    var setUp: [[String]] {
        let bridgeCommands = [
            ["link", "add", bridge, "type", "bridge"],
            ["addr", "add", bridgeAddress + "/24", "dev", bridge],
            ["link", "set", bridge, "up"],
        ]
        return bridgeCommands + memberNumbers.flatMap { member -> [[String]] in
            let namespace = namespace(member)
            return [
                ["netns", "add", namespace],
                ["link", "add", veth(member), "type", "veth", "peer", "name", "eth0", "netns", namespace],
                ["link", "set", veth(member), "master", bridge, "up"],
                ["-n", namespace, "addr", "add", address(member) + "/24", "dev", "eth0"],
                ["-n", namespace, "link", "set", "eth0", "up"],
                ["-n", namespace, "link", "set", "lo", "up"],
            ]
        }
    }

    /// The `ip` commands that remove everything `setUp` makes, each on its own, so that one
    /// already gone (or never made) does not keep the others.
    var tearDown: [[String]] {
        memberNumbers.flatMap { member in
            [["link", "del", veth(member)], ["netns", "del", namespace(member)]]
        } + [["link", "del", bridge]]
    }

    /// The command prefix that runs a program inside `member`'s namespace, given `ip`'s path.
    func inside(_ member: Int, ip: String) -> [String] {
        [ip, "netns", "exec", namespace(member)]
    }

    /// A subnet byte for a new network: the first from `start` upwards (wrapping) that no
    /// address in `taken` uses; nil if all 256 are taken.
    static func freeSubnet(from start: UInt8, taken: Set<UInt8>) -> UInt8? {
        (0...255).lazy.map { start &+ UInt8($0) }.first { !taken.contains($0) }
    }

    /// The subnet bytes of `10.77.S.x` addresses in the output of `ip -o -4 addr show`.
    static func takenSubnets(addressList: String) -> Set<UInt8> {
        var taken: Set<UInt8> = []
        for word in addressList.split(whereSeparator: \.isWhitespace) where word.hasPrefix(addressPrefix) {
            let bytes = word.dropFirst(addressPrefix.count).split(separator: ".")
            if let first = bytes.first, let subnet = UInt8(first) { taken.insert(subnet) }
        }
        return taken
    }
}
