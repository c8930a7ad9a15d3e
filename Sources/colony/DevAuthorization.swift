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

    /// The changes that make the development policy from an empty one.
    static func changes() -> [PolicyChange] {
        let admin = Identity.client(CertificateFolder.developmentClient)
        let application = Identity.client(CertificateFolder.applicationClient)
        guard let cells = CellPattern(applicationCells) else { preconditionFailure("Invalid state: \(applicationCells) is a pattern") }
        return [
            .bind(admin, role: AuthPolicy.adminRole), .addRole(applicationRole), .grant(role: applicationRole, Grant(.readWrite, on: cells)),
            .bind(application, role: applicationRole), .enable(by: admin),
        ]
    }

    /// Turns authorization on in the directory of the local colony `local`, through its admin's
    /// certificate, with the development policy.
    static func enable(on local: LocalNodes) async throws -> AuthPolicy {
        let client = try ColonyClient(nodes: local.clientAddresses, tls: local.clientTLS, policy: ClientOptions.controlPolicy)
        do {
            let policy = try await enable(in: Directory(client: client))
            await client.close()
            return policy
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
        var policy = current
        for change in changes() where (try? change.applied(to: policy)) != nil {
            policy = try await directory.change(change)
        }
        return policy
    }
}
