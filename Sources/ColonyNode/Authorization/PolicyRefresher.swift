import ColonyAuth
import ColonyClient
import Foundation
import Logging

/// Reads the policy from the directory every `interval`, through a client that presents
/// this node's certificate (nodes may read the reserved cells), and hands what it read to
/// the authorizer, keeping a copy in the data directory (`PolicyFile`).
///
/// A read that fails leaves the policy as it was: the node keeps enforcing what it last
/// read while the directory is unreachable, and says so once per outage. A node that has read
/// no policy takes "no directory" only when more than half the nodes it knows say they host
/// none and no node says otherwise (`DirectoryCensus`).
struct PolicyRefresher: Sendable {
    let authorizer: Authorizer
    let client: ColonyClient
    /// Asks each node whether it hosts the directory, before a node that has read no policy
    /// takes the colony for one without a directory.
    let census: DirectoryCensus
    let file: PolicyFile
    let interval: Duration
    let logger: Logger

    /// The first pause between reads while the node has read no policy: it refuses clients'
    /// calls until it has, so it asks again soon (a new colony's nodes come up one by one, and
    /// the census needs more than half of them), then twice as long after each read, up to
    /// `interval`.
    static let unreadInterval = Duration.milliseconds(250)

    /// Reads and adopts until the task is cancelled.
    func run() async {
        var failing = false
        var unreadPause = Self.unreadInterval
        while !Task.isCancelled {
            await refresh(failing: &failing)
            var pause = interval
            if authorizer.current == .unread {
                pause = min(interval, unreadPause)
                unreadPause = pause * 2
            }
            try? await Task.sleep(for: pause)
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
            // A colony without a directory yet has no policy to read, unless some node did
            // not say so.
            if let holdout = await holdout() {
                failed("no node that answered hosts the directory, but \(holdout)", failing: &failing)
                return
            }
            read = .noDirectory
        } catch {
            failed("cannot read the authorization policy from the directory (\(error))", failing: &failing)
            return
        }
        if failing { logger.notice("the directory answers again; reading the authorization policy from it") }
        failing = false
        adopt(read)
    }

    /// Counts a failed read, and says why at the first of a run of them.
    private func failed(_ why: String, failing: inout Bool) {
        authorizer.readFailed()
        if !failing { logger.warning("\(why); \(Self.holding(authorizer.current))") }
        failing = true
    }

    /// For a node that has read no policy, the node whose answer to the census leaves the
    /// colony a directory; nil when every node hosts none, or when the node holds a policy
    /// (which "no directory" never replaces).
    private func holdout() async -> String? {
        guard authorizer.current == .unread, !authorizer.defects.contains(.noDirectoryCensus) else { return nil }
        return DirectoryCensus.holdout(await census.run())
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
