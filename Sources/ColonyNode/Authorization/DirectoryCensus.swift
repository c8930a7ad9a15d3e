import ColonyClient

/// Asks every node this node knows, each on its own, whether it hosts the colony's
/// directory, before a node that has read no policy takes "no directory" for "no
/// authorization".
///
/// A read of the policy ends with "cell not found" once every node was tried and one of them
/// hosts no replica, even when others did not answer. A node on a new data directory that
/// took that for a colony without a directory would enforce nothing while the directory's
/// members are out of its reach. So such a node concludes "no directory" only when every node
/// of its book says it hosts none. A node that does not answer, or that has read the
/// directory itself (it answers UNAVAILABLE, not "cell not found": `APIMapping.result`), keeps
/// it refusing clients as not having read the policy. A colony without a directory is one
/// being set up: its new nodes wait for every node to answer.
struct DirectoryCensus: Sendable {
    /// What one node answered.
    enum Answer: Hashable, Sendable {
        /// It hosts no replica of the directory, and knows of none.
        case hostsNone
        /// Anything else, in words: no answer, a refusal, or the record itself.
        case other(String)
    }

    /// The client addresses of the nodes to ask, this node's among them, as the book has them now.
    let addresses: @Sendable () -> [String]
    /// The certificate this node presents as a client.
    let tls: ClientTLS
    /// How long each node is given to answer.
    let deadline: Duration

    /// The node, by address, whose answer leaves a directory possible, and what it said; nil
    /// when every node asked hosts none.
    static func holdout(_ answers: [String: Answer]) -> (address: String, answer: String)? {
        answers.sorted { $0.key < $1.key }.lazy.compactMap { address, answer -> (address: String, answer: String)? in
            guard case .other(let said) = answer else { return nil }
            return (address, said)
        }.first
    }

    /// Asks every node at once; each answer by its address.
    func run() async -> [String: Answer] {
        await withTaskGroup(of: (String, Answer).self) { group in
            for address in Set(addresses()) {
                group.addTask { (address, await ask(address)) }
            }
            var answers: [String: Answer] = [:]
            for await (address, answer) in group { answers[address] = answer }
            return answers
        }
    }

    /// What the node at `address` says of the directory's policy record.
    private func ask(_ address: String) async -> Answer {
        var policy = ColonyClient.Policy()
        policy.deadline = deadline
        let client: ColonyClient
        do {
            client = try ColonyClient(nodes: [address], tls: tls, policy: policy)
        } catch {
            return .other("\(error)")
        }
        let answer: Answer
        do {
            _ = try await client.get(ColonyDirectory.cell, ColonyDirectory.policyKey)
            answer = .other("it answered from the directory")
        } catch ColonyError.cellNotFound {
            answer = .hostsNone
        } catch {
            answer = .other("\(error)")
        }
        await client.close()
        return answer
    }
}
