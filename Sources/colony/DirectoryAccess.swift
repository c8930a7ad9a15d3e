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

    /// Runs `body` with the colony's directory, closing its client after; a control,
    /// directory or client error becomes a one-line message and a failure exit status.
    func withDirectory<Result>(_ body: (Directory) async throws -> Result) async throws -> Result {
        let client = try ColonyClient(nodes: try addresses(), tls: try tls(), policy: Self.controlPolicy)
        let result: Result
        do {
            result = try await body(Directory(client: client))
        } catch {
            await client.close()
            switch error {
            case let error as ControlError: Self.fail("\(error)")
            case let error as DirectoryError: Self.fail("\(error)")
            case let error as ColonyError: Self.fail("\(error)")
            default: throw error
            }
        }
        await client.close()
        return result
    }

    /// A note for a command whose work the control loop does: empty unless the control plane
    /// is paused (or its settings cannot be read), when nothing moves yet.
    static func pausedNote(_ directory: Directory) async -> String {
        guard let settings = try? await directory.settings() else { return "" }
        return settings.paused ? "\nthe control plane is paused: nothing moves until `colony control resume`" : ""
    }

    /// Prints `message` as an error and exits with a failure status.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(ExitCode.failure.rawValue)
    }
}
