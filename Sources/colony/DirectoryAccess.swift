import ArgumentParser
import ColonyClient
import ColonyControl
import Foundation

extension ClientOptions {
    /// How the control-plane commands wait on the directory: an unreachable directory is
    /// reported within a few seconds rather than after the data commands' 10.
    static var controlPolicy: ColonyClient.Policy {
        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(5)
        policy.attemptTimeout = .seconds(2)
        return policy
    }

    /// Runs `body` with the colony's directory, closing its client after, whatever `body` throws.
    func withDirectory<Result>(_ body: (Directory) async throws -> Result) async throws -> Result {
        let client = try await connect(policy: Self.controlPolicy)
        do {
            let result = try await body(Directory(client: client))
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// A note for a command whose work the control loop does: empty unless the control plane
    /// is paused (or its settings cannot be read), when nothing moves yet.
    static func pausedNote(_ directory: Directory) async -> String {
        guard let settings = try? await directory.settings() else { return "" }
        return settings.paused ? "\nthe control plane is paused: nothing moves until `colony control resume`" : ""
    }
}
