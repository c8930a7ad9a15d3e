/// An `iptables` command to run inside one member's network namespace.
struct NamespacedRule: Equatable, Sendable {
    /// The member whose namespace the command runs in.
    var member: Int
    /// The arguments to `iptables`.
    var arguments: [String]
}

/// The `iptables` rules that put a network fault on members of a `NamespacePlan`, and those
/// that take it off again. Pure: the exact argument lists, run by `NamespaceNetwork`.
///
/// Every rule sits in the namespace of a member it breaks and names the peers by address,
/// both ways (OUTPUT to a peer, INPUT from it), so a fault holds even for packets already on
/// their way and needs nothing outside the broken members' namespaces. Traffic from the root
/// namespace (the bridge's address: the chaos command's clients and watch) is never matched:
/// a node cut off from its peers still hears clients, the case where a deposed leader is
/// tempted to answer from what it has, which is what a partition must not break.
enum NetworkFaultRules {
    /// `-w`: wait for the xtables lock, which every namespace shares, instead of failing.
    private static let waitForLock = "-w"

    /// The rules that cut the members `cut` off from every other member of `all`, both ways.
    static func partition(_ cut: [Int], among all: [Int], plan: NamespacePlan) -> [NamespacedRule] {
        let others = all.filter { !cut.contains($0) }
        return cut.flatMap { member in
            others.flatMap { peer in
                [
                    NamespacedRule(member: member, arguments: [waitForLock, "-A", "OUTPUT", "-d", plan.address(peer), "-j", "DROP"]),
                    NamespacedRule(member: member, arguments: [waitForLock, "-A", "INPUT", "-s", plan.address(peer), "-j", "DROP"]),
                ]
            }
        }
    }

    /// The rules that drop each packet between `member` and every other member of `all`, both
    /// ways, with probability `probability` (0 to 1).
    static func loss(_ member: Int, probability: Double, among all: [Int], plan: NamespacePlan) -> [NamespacedRule] {
        precondition((0...1).contains(probability), "Invalid state: unchecked loss probability")
        let random = ["-m", "statistic", "--mode", "random", "--probability", "\(probability)", "-j", "DROP"]
        return all.filter { $0 != member }.flatMap { peer in
            [
                NamespacedRule(member: member, arguments: [waitForLock, "-A", "OUTPUT", "-d", plan.address(peer)] + random),
                NamespacedRule(member: member, arguments: [waitForLock, "-A", "INPUT", "-s", plan.address(peer)] + random),
            ]
        }
    }

    /// The rules that delete `rules` (each appended with `-A`), in reverse order.
    static func removing(_ rules: [NamespacedRule]) -> [NamespacedRule] {
        rules.reversed().map { rule in
            NamespacedRule(member: rule.member, arguments: rule.arguments.map { $0 == "-A" ? "-D" : $0 })
        }
    }

    /// The rules that empty the INPUT and OUTPUT chains of `member`'s namespace: a heal that
    /// holds whatever was appended there.
    static func flush(_ member: Int) -> [NamespacedRule] {
        [
            NamespacedRule(member: member, arguments: [waitForLock, "-F", "INPUT"]),
            NamespacedRule(member: member, arguments: [waitForLock, "-F", "OUTPUT"]),
        ]
    }
}
