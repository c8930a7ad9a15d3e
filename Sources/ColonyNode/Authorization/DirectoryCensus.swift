import ColonyClient

/// Asks every node this node knows, each once, whether it hosts the colony's directory,
/// before a node that has read no policy takes "no directory" for "no authorization".
///
/// A read of the policy ends with "cell not found" once every node was tried and one of them
/// hosts no replica, even when others did not answer. A node on a new data directory that
/// took that for a colony without a directory would enforce nothing while the directory's
/// members are out of its reach. So such a node concludes "no directory" only when:
///
/// 1. no node gave any other answer: a member of the directory answers from it (or says it
///    leads none), and a node that has read the directory answers UNAVAILABLE, not "not
///    found" (`APIMapping.result`), whether or not it hosts a replica; and
/// 2. more than half the nodes of its book, this one included, said they host none: a node
///    cut off from most of the colony learns nothing from its own answer.
///
/// Nodes that do not answer (down, unreachable) say nothing either way, so a colony without a
/// directory, being set up, serves with a minority of its nodes down.
struct DirectoryCensus: Sendable {
    /// The client addresses of the nodes to ask, this node's among them, as the book has them now.
    let addresses: @Sendable () -> [String]
    /// The client to ask them with, presenting this node's certificate.
    let client: ColonyClient
    /// How long each node is given to answer.
    let timeout: Duration

    /// Why the answers leave a directory possible, in words; nil when they show the colony has none.
    static func holdout(_ answers: [String: SingleAnswer]) -> String? {
        let ordered = answers.sorted { $0.key < $1.key }
        if let (address, said) = ordered.lazy.compactMap({ address, answer -> (String, String)? in
            guard case .answered(let said) = answer else { return nil }
            return (address, said)
        }).first {
            return "\(address) leaves one possible (\(said))"
        }
        let none = answers.values.filter { $0 == .hostsNone }.count
        guard none * 2 <= answers.count else { return nil }
        let silent = ordered.lazy.compactMap { address, answer -> String? in
            guard case .silent(let why) = answer else { return nil }
            return "\(address): \(why)"
        }.first ?? ""
        return "only \(none) of the \(answers.count) nodes known said they host none, not more than half (\(silent))"
    }

    /// Asks every node at once; each answer by its address.
    func run() async -> [String: SingleAnswer] {
        await withTaskGroup(of: (String, SingleAnswer).self) { group in
            for address in Set(addresses()) {
                group.addTask { [client, timeout] in
                    (address, await client.askOnce(address, cell: ColonyDirectory.cell, key: ColonyDirectory.policyKey, timeout: timeout))
                }
            }
            var answers: [String: SingleAnswer] = [:]
            for await (address, answer) in group { answers[address] = answer }
            return answers
        }
    }
}
