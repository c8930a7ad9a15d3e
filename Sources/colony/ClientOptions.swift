import ArgumentParser
import ColonyClient
import ColonyControl
import Foundation

/// Where the commands that talk to a colony find it, how they secure and bound their calls,
/// and how they print. A flag wins over its environment variable, which wins over the
/// `colony dev` colony's files, as etcdctl's flags win over its `ETCDCTL_*` variables.
struct ClientOptions: ParsableArguments {
    @Option(
        name: [.customLong("nodes"), .customLong("endpoints")],
        help: "Client addresses of some nodes, HOST:PORT comma-separated (default: $\(ClientEnvironment.endpoints), else $\(ClientEnvironment.nodes), else the `colony dev` colony's).")
    var nodes: String?

    @Option(
        name: [.customLong("ca"), .customLong("cacert")],
        help: "The colony's CA certificate (PEM; default: $\(ClientEnvironment.caCertificate), else the `colony dev` colony's).")
    var ca: String?

    @Option(help: "This client's certificate, issued by `colony certs client NAME` (PEM; default: $\(ClientEnvironment.certificate)).")
    var cert: String?

    @Option(help: "This client's private key (PEM; default: $\(ClientEnvironment.key)).")
    var key: String?

    @OptionGroup var devFolder: DevFolderOption

    @Option(name: .customLong("as"), help: "Use the `colony dev` colony's certificate of client NAME (`app`: the application identity `dev up` makes) instead of its admin's.")
    var client: String?

    @Flag(help: "Talk to nodes configured with \"plaintext\": true (tests only).")
    var plaintext = false

    @Option(help: "How long to wait for a node to accept a connection: 500ms, 2s (a bare number counts seconds).")
    var dialTimeout = Span(milliseconds: 2_000)

    @Option(help: "How long an operation may take, retries included (default: 10s; 5s for control-plane commands).")
    var commandTimeout: Span?

    @Flag(help: "Print JSON, for scripts; an error is a JSON object on standard error.")
    var json = false

    /// The variables of the process's environment the commands read.
    private var environment: ClientEnvironment { ClientEnvironment(ProcessInfo.processInfo.environment) }

    /// The folder of the `colony dev` colony these options fall back on.
    var devDir: String { devFolder.path }

    func validate() throws {
        guard dialTimeout.milliseconds > 0, dialTimeout.milliseconds <= 60_000 else {
            throw ValidationError("--dial-timeout must be more than 0 and at most 60s")
        }
        if let commandTimeout, commandTimeout.milliseconds <= 0 || commandTimeout.milliseconds > 3_600_000 {
            throw ValidationError("--command-timeout must be more than 0 and at most 1h")
        }
    }

    /// The nodes' client addresses: --nodes, else the environment, else the dev colony's.
    func addresses() throws -> [String] {
        if let nodes { return nodes.split(separator: ",").map(String.init) }
        if let fromEnvironment = environment.addresses { return fromEnvironment }
        if let dev = DevColony.load(from: devDir) {
            return dev.processes.map(\.clientAddress)
        }
        throw CommandFailure(.usage, """
            no colony to talk to: pass --nodes HOST:PORT,..., set \(ClientEnvironment.endpoints), \
            or start one with `colony dev up` (none in \(devDir))
            """)
    }

    /// How to secure the connections: --ca, --cert and --key (each else its environment
    /// variable) if given, else the `colony dev` colony's client certificate if there is one.
    func tls() throws -> ClientTLS {
        if let client {
            guard ca == nil, cert == nil, key == nil, !plaintext else { throw ValidationError("--as goes without --ca, --cert, --key and --plaintext") }
            let files = LocalNodes.certificates(directory: devDir).files(for: .client(client))
            guard FileManager.default.fileExists(atPath: files.certificate) else {
                throw CommandFailure(.usage, "the dev colony in \(devDir) has no certificate of client \(client); make one with `colony certs client \(client) --dir \(devDir)/certs`")
            }
            return .files(ca: files.ca, certificate: files.certificate, key: files.key)
        }
        if plaintext {
            guard ca == nil, cert == nil, key == nil else { throw ValidationError("--plaintext goes without --ca, --cert and --key") }
            return .plaintext
        }
        switch (ca ?? environment.caCertificate, cert ?? environment.certificate, key ?? environment.key) {
        case (.some(let ca), .some(let cert), .some(let key)):
            return .files(ca: ca, certificate: cert, key: key)
        case (nil, nil, nil):
            let development = LocalNodes.clientTLS(directory: devDir)
            if case .files(_, let certificate, _) = development, FileManager.default.fileExists(atPath: certificate) {
                return development
            }
            throw CommandFailure(.usage, """
                no client certificate: pass --ca CA.pem --cert CLIENT.pem --key CLIENT.key (made by `colony certs`), \
                set \(ClientEnvironment.caCertificate), \(ClientEnvironment.certificate) and \(ClientEnvironment.key), \
                or start a colony with `colony dev up`, whose certificate is used by itself (none in \(devDir))
                """)
        default:
            throw ValidationError("""
                give all three of --ca, --cert and --key (or \(ClientEnvironment.caCertificate), \
                \(ClientEnvironment.certificate) and \(ClientEnvironment.key))
                """)
        }
    }

    /// The client's policy: `base` with the operation's deadline from --command-timeout.
    func policy(_ base: ColonyClient.Policy = ColonyClient.Policy()) -> ColonyClient.Policy {
        var policy = base
        if let commandTimeout {
            policy.deadline = commandTimeout.duration
            policy.attemptTimeout = min(policy.attemptTimeout, commandTimeout.duration)
        }
        return policy
    }

    /// A client of the colony's nodes that answer a dial within --dial-timeout; fails at
    /// once, naming each node and why, when none does. The certificate files are read first,
    /// so a missing one is reported as such rather than as the nodes' silence.
    func connect(policy base: ColonyClient.Policy = ColonyClient.Policy()) async throws -> ColonyClient {
        let all = try addresses()
        let security = try tls()
        do {
            _ = try ColonyClient(nodes: all, tls: security)
        } catch ColonyError.invalidArgument(let message) {
            throw CommandFailure(.usage, message)
        }
        let reachable = try await NodeDial.reachable(all, within: dialTimeout.duration, tls: security)
        return try ColonyClient(nodes: reachable, tls: security, policy: policy(base))
    }

    /// The addresses of the nodes that answer a dial within --dial-timeout; fails naming each
    /// node and why when none does.
    func reachableAddresses() async throws -> [String] {
        try await NodeDial.reachable(try addresses(), within: dialTimeout.duration, tls: try tls())
    }

    /// Runs `body` with a client, closing it after, whatever `body` throws; `body` works on
    /// `cell`, if given, so that a cell no node hosts can be looked up in the directory.
    func withClient<Result>(cell: String? = nil, _ body: (ColonyClient) async throws -> Result) async throws -> Result {
        let client = try await connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            let explained = await Self.explain(error, cell: cell, client: client)
            await client.close()
            throw explained
        }
    }

    /// `error`, unless it says no node reached hosts `cell` and the directory records no such
    /// cell: then "no such cell". When the directory cannot be read, `error` as it is.
    static func explain(_ error: any Error, cell: String?, client: ColonyClient) async -> any Error {
        guard let cell, case .cellNotFound? = error as? ColonyError else { return error }
        do {
            guard try await Directory(client: client).cell(cell) == nil else { return error }
        } catch {
            return error
        }
        return CommandFailure(.notFound, "no such cell: \(cell) (the colony's directory records none; `colony cell create \(cell)` makes one)")
    }

    /// Prints `object` as JSON when asked, else `text`.
    func show(_ text: String, json object: [String: Any]) {
        if json, let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(text)
        }
    }
}

/// The environment variables the commands read, as etcdctl reads `ETCDCTL_ENDPOINTS`,
/// `ETCDCTL_CACERT`, `ETCDCTL_CERT` and `ETCDCTL_KEY`; an empty variable counts as unset.
struct ClientEnvironment {
    /// The variable of the nodes' client addresses.
    static let endpoints = "COLONY_ENDPOINTS"
    /// The older name of `endpoints`, still read when it is unset.
    static let nodes = "COLONY_NODES"
    /// The variable of the colony's CA certificate file.
    static let caCertificate = "COLONY_CACERT"
    /// The variable of the client's certificate file.
    static let certificate = "COLONY_CERT"
    /// The variable of the client's private key file.
    static let key = "COLONY_KEY"
    /// The variable of the `colony dev` colony's folder.
    static let devDirectory = "COLONY_DEV_DIR"

    private let variables: [String: String]

    /// The variables of `environment` that are set and not empty.
    init(_ environment: [String: String]) {
        variables = environment.filter { !$0.value.isEmpty }
    }

    /// The addresses in COLONY_ENDPOINTS, else in COLONY_NODES.
    var addresses: [String]? {
        (variables[Self.endpoints] ?? variables[Self.nodes]).map { $0.split(separator: ",").map(String.init) }
    }

    /// The CA certificate file in COLONY_CACERT.
    var caCertificate: String? { variables[Self.caCertificate] }
    /// The client certificate file in COLONY_CERT.
    var certificate: String? { variables[Self.certificate] }
    /// The client key file in COLONY_KEY.
    var key: String? { variables[Self.key] }
    /// The dev colony's folder in COLONY_DEV_DIR.
    var devDirectory: String? { variables[Self.devDirectory] }
}

/// The one flag that names the `colony dev` colony's folder, for every command.
struct DevFolderOption: ParsableArguments {
    @Option(help: "The `colony dev` colony's folder (default: $\(ClientEnvironment.devDirectory), else \(DevColony.defaultDirectory)).")
    var devDir: String?

    /// The folder: --dev-dir, else COLONY_DEV_DIR, else the default.
    var path: String {
        devDir ?? ClientEnvironment(ProcessInfo.processInfo.environment).devDirectory ?? DevColony.defaultDirectory
    }
}
