import ArgumentParser
import ColonyClient
import ColonyCore
import ColonyNode
import Foundation

/// A throwaway etcd cluster on loopback for side-by-side measurements: members on free
/// ports, data under one folder, stopped by pid. With TLS its members run as Colony's nodes
/// do, mutual TLS to clients and between members, with certificates `colony certs` makes
/// (member `i` presents node `i + 1`'s, which names the loopback addresses and is good for
/// both ends of a connection), and its clients present the development client's.
final class EtcdCluster: @unchecked Sendable {
    /// The members' client ports on 127.0.0.1.
    let clientPorts: [Int]
    /// How a client reaches the members.
    let clientTLS: ClientTLS
    private var processes: [Process]

    private init(clientPorts: [Int], clientTLS: ClientTLS, processes: [Process]) {
        self.clientPorts = clientPorts
        self.clientTLS = clientTLS
        self.processes = processes
    }

    /// The members' process ids.
    var pids: [Int32] { processes.map(\.processIdentifier) }

    /// The etcd executable to use: `path` if given ("none" for none), else `etcd` on PATH.
    static func executable(_ path: String?) -> String? {
        if path == "none" { return nil }
        if let path { return FileManager.default.isExecutableFile(atPath: path) ? path : nil }
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return searched.map { "\($0)/etcd" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `members` members under `directory`, with mutual TLS unless `plaintext`, and
    /// waits until the cluster takes a write.
    static func start(executable: String, members: Int, directory: String, plaintext: Bool) async throws -> EtcdCluster {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let certificates = CertificateFolder(directory: directory + "/certs")
        let scheme = plaintext ? "http" : "https"
        let clientTLS: ClientTLS
        if plaintext {
            clientTLS = .plaintext
        } else {
            try certificates.prepareDevelopment(nodes: (1...UInt32(members)).map { $0 })
            let files = certificates.files(for: .client(CertificateFolder.developmentClient))
            clientTLS = .files(ca: files.ca, certificate: files.certificate, key: files.key)
        }
        let ports = try FreePorts.take(2 * members)
        let peers = (0..<members).map { "e\($0)=\(scheme)://127.0.0.1:\(ports[2 * $0 + 1])" }.joined(separator: ",")
        var processes: [Process] = []
        for index in 0..<members {
            let client = "\(scheme)://127.0.0.1:\(ports[2 * index])"
            let peer = "\(scheme)://127.0.0.1:\(ports[2 * index + 1])"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--name", "e\(index)", "--data-dir", "\(directory)/e\(index)",
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", peers, "--initial-cluster-state", "new", "--initial-cluster-token", "colony-bench",
                "--logger", "zap", "--log-level", "error",
            ]
            if !plaintext {
                let files = certificates.files(for: .node(NodeID(UInt32(index + 1))))
                process.arguments! += [
                    "--cert-file", files.certificate, "--key-file", files.key, "--trusted-ca-file", files.ca, "--client-cert-auth",
                    "--peer-cert-file", files.certificate, "--peer-key-file", files.key, "--peer-trusted-ca-file", files.ca,
                    "--peer-client-cert-auth",
                ]
            }
            let log = "\(directory)/e\(index).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            processes.append(process)
        }
        let clientPorts = (0..<members).map { ports[2 * $0] }
        let cluster = EtcdCluster(clientPorts: clientPorts, clientTLS: clientTLS, processes: processes)
        do {
            try await cluster.waitUntilWritable(directory: directory)
        } catch {
            cluster.stop()
            throw error
        }
        return cluster
    }

    /// A client of this cluster with `connections` connections.
    func client(connections: Int) async throws -> EtcdClient {
        try await EtcdClient.connect(members: clientPorts, connections: connections, tls: clientTLS)
    }

    /// Stops every member by pid.
    func stop() {
        LocalNodes.stop(pids: pids)
        processes = []
    }

    /// Waits, at most 30 s, until a write through the first member is acknowledged.
    private func waitUntilWritable(directory: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if let client = try? await EtcdClient.connect(members: [clientPorts[0]], connections: 1, tls: clientTLS) {
                let wrote = (try? await client.put(key: "colony-bench-ready", value: [1], caller: 0)) != nil
                await client.close()
                if wrote { return }
            }
            guard ContinuousClock.now < deadline, processes.allSatisfy(\.isRunning) else {
                throw ValidationError("etcd did not take a write within 30 s; see \(directory)/e*.log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
