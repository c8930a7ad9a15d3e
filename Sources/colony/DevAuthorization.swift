import ArgumentParser
import ColonyAuth
import ColonyClient
import ColonyControl

/// The authorization `colony dev up` turns on: the CLI's client (`dev`, which the control
/// loop also runs as) holds the role admin, and the application client (`app`) holds the
/// role `apps`, which reads and writes the cells named `app-*`.
enum DevAuthorization {
    /// The application role's name.
    static let applicationRole = "apps"
    /// The cells the application role reads and writes.
    static let applicationCells = "app-*"

    /// The changes that make the development policy from an empty one, the application's
    /// role covering `cells`; the last one turns authorization on.
    static func changes(cells text: String = applicationCells) -> [PolicyChange] {
        let admin = Identity.client(CertificateFolder.developmentClient)
        let application = Identity.client(CertificateFolder.applicationClient)
        guard let cells = CellPattern(text) else { preconditionFailure("Invalid state: \(text) is a pattern") }
        return [
            .bind(admin, role: AuthPolicy.adminRole), .addRole(applicationRole), .grant(role: applicationRole, Grant(.readWrite, on: cells)),
            .bind(application, role: applicationRole), .enable(by: admin),
        ]
    }

    /// Turns authorization on in the directory of the local colony `local`, through its admin's
    /// certificate, with the development policy.
    static func enable(on local: LocalNodes) async throws -> AuthPolicy {
        try await withDirectory(of: local) { try await enable(in: $0) }
    }

    /// Runs `body` with the directory of the local colony `local`, reached through its admin's
    /// certificate.
    static func withDirectory<Value>(of local: LocalNodes, _ body: (Directory) async throws -> Value) async throws -> Value {
        let client = try ColonyClient(nodes: local.clientAddresses, tls: local.clientTLS, policy: ClientOptions.controlPolicy)
        do {
            let value = try await body(Directory(client: client))
            await client.close()
            return value
        } catch {
            await client.close()
            throw error
        }
    }

    /// Turns authorization on in `directory` with the development policy; a colony whose
    /// authorization is on already (an earlier `dev up`) keeps its policy.
    static func enable(in directory: Directory) async throws -> AuthPolicy {
        let (current, _) = try await directory.policy()
        guard !current.enabled else { return current }
        return try await apply(changes(), in: directory)
    }

    /// Makes each of `changes` the policy does not hold already; returns the policy written.
    static func apply(_ changes: [PolicyChange], in directory: Directory) async throws -> AuthPolicy {
        var policy = try await directory.policy().policy
        for change in changes where (try? change.applied(to: policy)) != nil {
            policy = try await directory.change(change)
        }
        return policy
    }

    /// Waits, at most `timeout`, until every node of `local` enforces a policy that is on
    /// (`enabled`) or off, as its /metrics says.
    static func waitUntilEnforced(_ enabled: Bool, on local: LocalNodes, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        for config in local.configs {
            guard let admin = config.own.adminAddress else { continue }
            while AdminScrape.get("/metrics", from: admin).flatMap({ AdminScrape.metric("colony_authorization_enabled", in: $0) }) != (enabled ? 1 : 0) {
                guard ContinuousClock.now < deadline else {
                    throw ValidationError("node \(config.node) did not enforce authorization \(enabled ? "on" : "off") within \(timeout)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
