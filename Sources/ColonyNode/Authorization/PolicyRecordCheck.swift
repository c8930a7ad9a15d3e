import ColonyAuth
import ColonyClient
import ColonyCore
import Foundation

/// What a node checks of a write to the directory's policy record, whoever sends it: the
/// record must be a policy every node can read, with no problem (`AuthPolicy.problem`), so no
/// write — a raw `colony put` by an admin included — can leave the colony with a policy nodes
/// cannot enforce or one that locks every admin out.
enum PolicyRecordCheck {
    /// What is wrong with `operation` on cell `cell` as a write of the policy record, or nil.
    static func problem(_ operation: CellOperation, cell: String) -> String? {
        guard cell == ColonyDirectory.cell else { return nil }
        switch operation {
        case .put(let key, let bytes), .compareAndSet(let key, _, let bytes):
            return key.string == ColonyDirectory.policyKey ? problem(bytes) : nil
        case .increment(let key, _):
            return key.string == ColonyDirectory.policyKey ? "the policy record \(ColonyDirectory.policyKey) holds JSON, not a number" : nil
        case .transaction(let transaction):
            return (transaction.success + transaction.failure).lazy.compactMap { problem(step: $0) }.first
        case .get, .list, .delete, .changeMembership, .deleteCell:
            return nil
        }
    }

    private static func problem(step: TransactionStep) -> String? {
        switch step {
        case .put(let key, let bytes) where key.string == ColonyDirectory.policyKey:
            return problem(bytes)
        case .increment(let key, _) where key.string == ColonyDirectory.policyKey:
            return "the policy record \(ColonyDirectory.policyKey) holds JSON, not a number"
        case .get, .put, .delete, .increment:
            return nil
        }
    }

    /// What is wrong with `bytes` as the policy record, or nil.
    private static func problem(_ bytes: [UInt8]) -> String? {
        let policy: AuthPolicy
        do {
            policy = try JSONDecoder().decode(AuthPolicy.self, from: Data(bytes))
        } catch {
            return "the policy record \(ColonyDirectory.policyKey) must be a policy (`colony auth` writes it): \(error)"
        }
        return policy.problem.map { "the policy record \(ColonyDirectory.policyKey) is refused: \($0)" }
    }
}
