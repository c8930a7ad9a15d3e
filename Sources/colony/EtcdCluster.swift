import ArgumentParser
import ColonyNode
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A throwaway etcd cluster on loopback for side-by-side measurements: members on free
/// ports, data under one folder, stopped by pid.
final class EtcdCluster: @unchecked Sendable {
    let clientURLs: [String]
    private var processes: [Process]

    private init(clientURLs: [String], processes: [Process]) {
        self.clientURLs = clientURLs
        self.processes = processes
    }

    /// The etcd executable to use: `path` if given ("none" for none), else `etcd` on PATH.
    static func executable(_ path: String?) -> String? {
        if path == "none" { return nil }
        if let path { return FileManager.default.isExecutableFile(atPath: path) ? path : nil }
        let searched = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return searched.map { "\($0)/etcd" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts `members` members and waits until the cluster answers.
    static func start(executable: String, members: Int, directory: String) async throws -> EtcdCluster {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ports = try FreePorts.take(2 * members)
        let peers = (0..<members).map { "e\($0)=http://127.0.0.1:\(ports[2 * $0 + 1])" }.joined(separator: ",")
        var processes: [Process] = []
        var urls: [String] = []
        for index in 0..<members {
            let client = "http://127.0.0.1:\(ports[2 * index])"
            let peer = "http://127.0.0.1:\(ports[2 * index + 1])"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = [
                "--name", "e\(index)", "--data-dir", "\(directory)/e\(index)",
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", peers, "--initial-cluster-state", "new", "--initial-cluster-token", "colony-bench",
                "--log-level", "error",
            ]
            let log = "\(directory)/e\(index).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            processes.append(process)
            urls.append(client)
        }
        let cluster = EtcdCluster(clientURLs: urls, processes: processes)
        let client = EtcdClient(endpoints: urls, connectionsPerMember: 1)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            if (try? await client.put(key: "colony-bench-ready", value: [1], endpoint: 0)) != nil { break }
            guard ContinuousClock.now < deadline else {
                cluster.stop()
                throw ValidationError("etcd did not answer within 30 s; see \(directory)/e*.log")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return cluster
    }

    /// Stops every member by pid.
    func stop() {
        LocalNodes.stop(pids: processes.map(\.processIdentifier))
        processes = []
    }
}

/// A minimal etcd v3 client over its JSON gateway (`/v3/kv/put`, `/v3/kv/range`): enough to
/// drive the same load loop as Colony's client. Reads are etcd's default, linearizable.
struct EtcdClient: Sendable {
    let endpoints: [String]
    private let session: URLSession

    init(endpoints: [String], connectionsPerMember: Int) {
        self.endpoints = endpoints
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = connectionsPerMember
        session = URLSession(configuration: configuration)
    }

    /// Writes `value` under `key` through the member `endpoint` picks.
    func put(key: String, value: [UInt8], endpoint: Int) async throws {
        let body: [String: String] = ["key": Data(key.utf8).base64EncodedString(), "value": Data(value).base64EncodedString()]
        try await call("/v3/kv/put", body, endpoint: endpoint)
    }

    /// Reads `key` through the member `endpoint` picks.
    func get(key: String, endpoint: Int) async throws {
        try await call("/v3/kv/range", ["key": Data(key.utf8).base64EncodedString()], endpoint: endpoint)
    }

    private func call(_ path: String, _ body: [String: String], endpoint: Int) async throws {
        guard let url = URL(string: endpoints[endpoint % endpoints.count] + path) else {
            throw ValidationError("bad etcd endpoint \(endpoints[endpoint % endpoints.count])")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        request.timeoutInterval = 10
        let (_, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw ValidationError("etcd answered \((response as? HTTPURLResponse)?.statusCode ?? 0) to \(path)")
        }
    }
}
