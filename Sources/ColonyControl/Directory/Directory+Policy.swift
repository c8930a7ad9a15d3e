import ColonyAuth
import ColonyClient

/// The authorization policy in the directory (`ColonyDirectory.policyKey`): read by
/// `colony auth`, changed by it one `PolicyChange` at a time. Nodes read it on their own
/// (`PolicyRefresher`) and enforce what they last read.
extension Directory {
    /// How many times a change is tried again when another admin changed the policy between
    /// its read and its write.
    static let policyWriteAttemptsMax = 5

    /// The policy and the version of its record; an empty policy, not enabled, at version 0
    /// when none was written.
    public func policy() async throws(DirectoryError) -> (policy: AuthPolicy, version: UInt64) {
        try await versionedValue(ColonyDirectory.policyKey, as: AuthPolicy.self) ?? (AuthPolicy(), 0)
    }

    /// Makes `change` to the policy and returns the policy written. The record is written only
    /// if it is still at the version read (compare-and-set), so two admins' changes never
    /// undo each other; a change refused by `PolicyChange.applied(to:)` writes nothing, nor
    /// does one revoking the identity of a node the directory lists as active or draining
    /// (`NodeRevocationCheck`).
    public func change(_ change: PolicyChange) async throws(ControlError) -> AuthPolicy {
        for _ in 0..<Self.policyWriteAttemptsMax {
            let read: (policy: AuthPolicy, version: UInt64)
            let bytes: [UInt8]
            let changed: AuthPolicy
            do {
                read = try await policy()
                changed = try change.applied(to: read.policy)
                let revoking = NodeRevocationCheck.revoking(from: read.policy, to: changed)
                if !revoking.isEmpty, let refusal = NodeRevocationCheck.refusal(revoking: revoking, nodes: try await nodes()) {
                    throw refusal
                }
                bytes = try DirectoryRecord.policy(changed).encoded()
            } catch let error as PolicyChangeError {
                throw .policy(error)
            } catch let error as DirectoryError {
                throw .directory(error)
            } catch {
                throw .directory(.unreachable("\(error)"))
            }
            do {
                let expected: ColonyClient.Expected = read.version == 0 ? .absent : .version(read.version)
                try await client.compareAndSet(ColonyDirectory.cell, ColonyDirectory.policyKey, expected: expected, value: bytes)
                return changed
            } catch ColonyError.conditionFailed {
                continue
            } catch {
                throw .directory(Self.translate(error))
            }
        }
        throw .directory(.unreachable("the policy changed under \(Self.policyWriteAttemptsMax) attempts in a row; try again"))
    }
}
