import ArgumentParser
import ColonyAPI
import ColonyClient
import Foundation

/// Where the data commands find the colony, and how they print.
struct ClientOptions: ParsableArguments {
    @Option(help: "Client addresses of some nodes, comma-separated (default: $COLONY_NODES, else the `colony dev` colony).")
    var nodes: String?

    @Option(help: "The colony's CA certificate (PEM; default: the `colony dev` colony's).")
    var ca: String?

    @Option(help: "This client's certificate, issued by `colony certs client NAME` (PEM).")
    var cert: String?

    @Option(help: "This client's private key (PEM).")
    var key: String?

    @Option(help: "The folder of the `colony dev` colony to talk to when no --nodes or certificate is given (default: the `colony dev up` default).")
    var devDir: String = DevColony.defaultDirectory

    @Option(name: .customLong("as"), help: "Use the `colony dev` colony's certificate of client NAME (`app`: the application identity `dev up` makes) instead of its admin's.")
    var client: String?

    @Flag(help: "Talk to nodes configured with \"plaintext\": true (tests only).")
    var plaintext = false

    @Flag(help: "Print JSON, for scripts.")
    var json = false

    func addresses() throws -> [String] {
        if let nodes { return nodes.split(separator: ",").map(String.init) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["COLONY_NODES"], !fromEnvironment.isEmpty {
            return fromEnvironment.split(separator: ",").map(String.init)
        }
        if let dev = DevColony.load(from: devDir) {
            return dev.processes.map(\.clientAddress)
        }
        throw ValidationError("no colony to talk to: pass --nodes HOST:PORT,..., set COLONY_NODES, or start one with `colony dev up` (none in \(devDir))")
    }

    /// How to secure the connections: --ca, --cert and --key if given, else the `colony dev`
    /// colony's client certificate if there is one.
    func tls() throws -> ClientTLS {
        if let client {
            guard ca == nil, cert == nil, key == nil, !plaintext else { throw ValidationError("--as goes without --ca, --cert, --key and --plaintext") }
            let files = LocalNodes.certificates(directory: devDir).files(for: .client(client))
            guard FileManager.default.fileExists(atPath: files.certificate) else {
                throw ValidationError("the dev colony in \(devDir) has no certificate of client \(client); make one with `colony certs client \(client) --dir \(devDir)/certs`")
            }
            return .files(ca: files.ca, certificate: files.certificate, key: files.key)
        }
        switch (ca, cert, key, plaintext) {
        case (nil, nil, nil, true):
            return .plaintext
        case (.some(let ca), .some(let cert), .some(let key), false):
            return .files(ca: ca, certificate: cert, key: key)
        case (nil, nil, nil, false):
            let development = LocalNodes.clientTLS(directory: devDir)
            if case .files(_, let certificate, _) = development, FileManager.default.fileExists(atPath: certificate) {
                return development
            }
            throw ValidationError("""
                no client certificate: pass --ca CA.pem --cert CLIENT.pem --key CLIENT.key (made by `colony certs`), \
                or start a colony with `colony dev up`, whose certificate is used by itself
                """)
        case (_, _, _, true):
            throw ValidationError("--plaintext goes without --ca, --cert and --key")
        case (_, _, _, false):
            throw ValidationError("give all three of --ca, --cert and --key")
        }
    }

    /// Runs `body` with a client, closing it after; a `ColonyError` becomes a one-line message
    /// and a failure exit status.
    func withClient<Result>(_ body: (ColonyClient) async throws -> Result) async throws -> Result {
        let client = try ColonyClient(nodes: try addresses(), tls: try tls())
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch let error as ColonyError {
            await client.close()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
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

/// `colony put CELL KEY VALUE`.
struct PutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "put", abstract: "Write a key in a cell.")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "The value (text).") var value: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let version = try await options.withClient { try await $0.put(cell, key, value) }
        options.show("OK (version \(version))", json: ["version": version])
    }
}

/// `colony get CELL KEY`.
struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Read a key of a cell (linearizable unless --stale).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Flag(help: "Let any replica answer, possibly behind.") var stale = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let item = try await options.withClient { try await $0.get(cell, key, stale: stale) }
        guard let item else {
            options.show("(absent)", json: ["found": false])
            throw ExitCode(3)
        }
        options.show(item.text, json: ["found": true, "value": item.text, "version": item.version])
    }
}

/// `colony del CELL KEY`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "del", abstract: "Remove a key from a cell.")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let existed = try await options.withClient { try await $0.delete(cell, key) }
        options.show(existed ? "deleted" : "(was absent)", json: ["existed": existed])
    }
}

/// `colony incr CELL KEY [DELTA]`.
struct IncrementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incr", abstract: "Add to the decimal integer under a key (an absent key counts as 0).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "How much to add (negative to subtract).") var delta: Int64 = 1
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let value = try await options.withClient { try await $0.increment(cell, key, by: delta) }
        options.show("\(value)", json: ["value": value])
    }
}

/// `colony cas CELL KEY --expect OLD NEW`.
struct CompareAndSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cas", abstract: "Write a key only if it holds what you expect (or is absent, with --absent).")
    @Argument(help: "The cell.") var cell: String
    @Argument(help: "The key.") var key: String
    @Argument(help: "The new value.") var value: String
    @Option(help: "The value the key must hold now.") var expect: String?
    @Flag(help: "The key must be absent now.") var absent = false
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard (expect != nil) != absent else { throw ValidationError("give exactly one of --expect VALUE or --absent") }
    }

    func run() async throws {
        let expected: ColonyClient.Expected = expect.map { .value(Array($0.utf8)) } ?? .absent
        let version = try await options.withClient { try await $0.compareAndSet(cell, key, expected: expected, value: Array(value.utf8)) }
        options.show("OK (version \(version))", json: ["version": version])
    }
}
