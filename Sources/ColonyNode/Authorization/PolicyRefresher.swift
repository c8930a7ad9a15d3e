import ColonyAuth
import ColonyClient
import Foundation
import Logging

/// Reads the policy from the directory every `interval`, through a client that presents
/// this node's certificate (nodes may read the reserved cells), and hands what it read to
/// the authorizer, keeping a copy in the data directory (`PolicyFile`).
///
/// A read that fails leaves the policy as it was: the node keeps enforcing what it last
/// read while the directory is unreachable, and says so once per outage.
struct PolicyRefresher: Sendable {
    let authorizer: Authorizer
    let client: ColonyClient
    let file: PolicyFile
    let interval: Duration
    let logger: Logger

    /// Reads and adopts until the task is cancelled.
    func run() async {
        var failing = false
        while !Task.isCancelled {
            do {
                let read = try await readPolicy()
                if failing { logger.notice("the directory answers again; reading the authorization policy from it") }
                failing = false
                if let adopted = authorizer.adopt(read) {
                    logger.notice("authorization policy version \(adopted.version): \(adopted.policy.enabled ? "on" : "off")")
                    do {
                        try file.save(adopted)
                    } catch {
                        logger.error("cannot keep the authorization policy on disk: \(error); a restart enforces the older copy until the directory answers")
                    }
                }
            } catch ColonyError.cellNotFound {
                // A colony without a directory yet has no policy to read.
                failing = false
            } catch {
                authorizer.readFailed()
                if !failing {
                    let held = authorizer.current
                    logger.warning("cannot read the authorization policy from the directory (\(error)); enforcing the one read last, version \(held.version) (\(held.policy.enabled ? "on" : "off"))")
                }
                failing = true
            }
            try? await Task.sleep(for: interval)
        }
        await client.close()
    }

    /// The directory's policy record, checked.
    private func readPolicy() async throws -> CachedPolicy.Read {
        guard let item = try await client.get(ColonyDirectory.cell, ColonyDirectory.policyKey) else { return .absent }
        let policy = try JSONDecoder().decode(AuthPolicy.self, from: Data(item.value))
        if let problem = policy.problem { throw PolicyError("the directory's policy has a problem: \(problem)") }
        return .record(policy, version: item.version)
    }
}
