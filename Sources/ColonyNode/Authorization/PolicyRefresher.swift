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
            await refresh(failing: &failing)
            try? await Task.sleep(for: interval)
        }
        await client.close()
    }

    /// Reads the policy once and adopts what the directory answered; `failing` says whether
    /// the read before failed, and is set to whether this one did.
    private func refresh(failing: inout Bool) async {
        let read: CachedPolicy.Read
        do {
            read = try await readPolicy()
        } catch ColonyError.cellNotFound {
            // A colony without a directory yet has no policy to read.
            read = .noDirectory
        } catch {
            authorizer.readFailed()
            if !failing { logger.warning("cannot read the authorization policy from the directory (\(error)); \(Self.holding(authorizer.current))") }
            failing = true
            return
        }
        if failing { logger.notice("the directory answers again; reading the authorization policy from it") }
        failing = false
        adopt(read)
    }

    /// Hands `read` to the authorizer and keeps what it adopts on disk, so that a restart
    /// enforces it at once (the first answer too: a restarted node then does not refuse
    /// clients' calls until the directory answers).
    private func adopt(_ read: CachedPolicy.Read) {
        guard let adopted = authorizer.adopt(read) else { return }
        logger.notice("authorization policy version \(adopted.version): \(adopted.policy.enabled ? "on" : "off")")
        do {
            try file.save(adopted)
        } catch {
            logger.error("cannot keep the authorization policy on disk: \(error); a restart enforces the older copy until the directory answers")
        }
    }

    /// What the node does while it cannot read the policy, in words.
    private static func holding(_ enforced: EnforcedPolicy) -> String {
        switch enforced {
        case .unread:
            return "\(AuthRefusal.policyUnread) and kept none on disk: refusing clients' calls (UNAVAILABLE) until the directory answers"
        case .read(let held):
            return "enforcing the one read last, version \(held.version) (\(held.policy.enabled ? "on" : "off"))"
        }
    }

    /// The directory's policy record, checked.
    private func readPolicy() async throws -> CachedPolicy.Read {
        guard let item = try await client.get(ColonyDirectory.cell, ColonyDirectory.policyKey) else { return .absent }
        let policy = try JSONDecoder().decode(AuthPolicy.self, from: Data(item.value))
        if let problem = policy.problem { throw PolicyError("the directory's policy has a problem: \(problem)") }
        return .record(policy, version: item.version)
    }
}
