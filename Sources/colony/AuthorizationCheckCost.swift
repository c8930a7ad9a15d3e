import ColonyAuth
@_spi(Testing) import ColonyNode
import Foundation

/// What authorization adds to each request on a node, measured alone: the policy's decision
/// for an application identity whose grant is the last one it holds, in a policy of many
/// roles each of whose grants covers a key prefix (the longer check), and the session id
/// bound to the identity (`SessionNamespace`).
enum AuthorizationCheckCost {
    /// Roles in the measured policy.
    static let roles = 100
    /// Grants per role.
    static let grantsPerRole = 10
    /// Checks timed.
    static let checks = 1_000_000

    /// Nanoseconds per decision and per session id, on this CPU.
    static func measure() -> (decisionNanoseconds: Double, sessionNanoseconds: Double) {
        var policy = AuthPolicy(enabled: true, bindings: ["urn:colony:client:dev": [AuthPolicy.adminRole]])
        let keys = KeyPattern("tenant-7/*")
        for role in 0..<roles {
            policy.roles["role-\(role)"] = (0..<grantsPerRole).compactMap { grant in
                CellPattern("cells-\(role)-\(grant)-*").map { Grant(.readWrite, on: $0, keys: keys) }
            }
        }
        policy.bindings["urn:colony:client:app"] = ["role-97", "role-98", "role-99"]
        let identity = Identity.client("app")
        let cell = "cells-99-9-42"
        var allowed = 0
        let decisions = timed {
            for _ in 0..<checks {
                if case .allowed = policy.decide(identity, .write(cell: cell, keys: .key("tenant-7/volume-42"))) { allowed += 1 }
            }
        }
        precondition(allowed == checks, "Invalid state: the measured grant allows the write")
        var mixed: UInt64 = 0
        let sessions = timed {
            for id in 0..<UInt64(checks) {
                mixed ^= SessionNamespace.clientID(id + 1, of: identity)
            }
        }
        precondition(mixed != 0 || checks == 0, "Invalid state: the session ids were all folded away")
        return (decisions / Double(checks), sessions / Double(checks))
    }

    /// Nanoseconds `body` takes.
    private static func timed(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    }
}
