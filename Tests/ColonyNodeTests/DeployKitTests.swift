import ColonyNode
import Foundation
import Testing

/// The deployment kit in `deploy/` checked without a cluster, a container engine or a
/// running systemd: the Kubernetes manifests by kubernetes-validate's bundled schemas (`pip
/// install kubernetes-validate`; `.ci/run` installs it), the configuration they share by
/// `NodeConfig.load` for every node, the systemd units by `systemd-analyze verify`, and what
/// each file must agree on with the others and with the node. A missing tool skips its test
/// with the reason recorded.
@Suite("the deployment kit in deploy/, checked without a cluster")
struct DeployKitTests {
    /// `deploy/` of this checkout.
    static let deploy = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy")
    static let kubernetes = deploy.appendingPathComponent("kubernetes")

    static let kubernetesValidate = PrometheusTools.find("kubernetes-validate")
    static let systemdAnalyze = PrometheusTools.find("systemd-analyze")

    /// The manifests of `deploy/kubernetes/`.
    static func manifests() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: kubernetes, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// The text of `name` in `deploy/`.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: deploy.appendingPathComponent(name), encoding: .utf8)
    }

    /// The longest the node's polite stop may take: the leadership hand-off, then the client
    /// calls' drain. A stop timeout must leave it room.
    static var politeStopSeconds: Int64 {
        let options = ColonyNodeServer.Options()
        return (options.handOffTimeout.nanoseconds + options.clientDrainTimeout.nanoseconds) / 1_000_000_000
    }

    @Test(
        "kubernetes-validate accepts every manifest, strictly, for Kubernetes 1.28 (the first with the pod-index label) and its newest schemas",
        .enabled(
            if: kubernetesValidate != nil,
            "kubernetes-validate is not installed (pip install kubernetes-validate; .ci/run installs it); skipping the manifests' schema check"),
        .timeLimit(.minutes(1)))
    func manifestsValidate() async throws {
        let validator = try #require(Self.kubernetesValidate)
        let files = try Self.manifests().map(\.path)
        #expect(files.count >= 8, "expected the kit's manifests in \(Self.kubernetes.path), found \(files)")
        for version in [["--kubernetes-version", "1.28.0"], []] {
            let checked = try await ChildProcess.run(["--strict"] + version + files, executable: validator, within: .seconds(50))
            #expect(checked.status == 0, "\(checked.output)")
            #expect(!checked.output.contains("ERROR"), "\(checked.output)")
        }
    }

    @Test("the ConfigMap's colony.json is a valid configuration for each node it lists, bound to 0.0.0.0 and advertising DNS names")
    func sharedConfigurationLoads() throws {
        let config = try SharedConfiguration.load()
        #expect(config.nodes.count == 9)
        for entry in config.nodes {
            let own = try NodeConfig.load(path: SharedConfiguration.path, node: entry.node)
            #expect(own.own == entry)
            #expect(entry.adminAddress != nil, "node \(entry.node) has no admin address for its readiness probe")
        }
        #expect(config.listen == ListenAddresses(peer: "0.0.0.0:7101", client: "0.0.0.0:7201", admin: "0.0.0.0:7301"))
        #expect(Set(config.nodes.compactMap(\.zone)).count == 3, "the colony spans three zones")
    }

    @Test("each StatefulSet's pods are the nodes the configuration puts in its zone, at their DNS names, with their certificate's paths")
    func statefulSetsMatchTheConfiguration() throws {
        let config = try SharedConfiguration.load()
        let tls = try #require(config.tls)
        var covered: [UInt32] = []
        for file in try Self.manifests() where file.lastPathComponent.hasPrefix("statefulset-") {
            let set = try StatefulSetShape(String(contentsOf: file, encoding: .utf8), file: file.lastPathComponent)
            for id in set.nodeIDs {
                let entry = try #require(config.nodes.first { $0.node == id }, "\(file.lastPathComponent) runs node \(id), not in colony.json")
                #expect(entry.zone == set.zone, "node \(id) is in \(entry.zone ?? "no zone") in colony.json, in \(set.zone) in \(file.lastPathComponent)")
                #expect(entry.peerAddress.hasPrefix("\(set.name)-\(id).colony-peers.colony.svc."), "node \(id) advertises \(entry.peerAddress), not its pod's name")
                covered.append(id)
            }
            #expect(set.text.contains(tls.certificate) && set.text.contains(tls.key), "\(file.lastPathComponent) does not link the node's certificate where colony.json reads it")
            #expect(set.terminationGraceSeconds > Self.politeStopSeconds)
        }
        #expect(covered.sorted() == config.nodes.map(\.node).sorted(), "every node of colony.json runs in exactly one StatefulSet")
    }

    @Test(
        "systemd-analyze verify accepts the node's and the control loop's units with no warning",
        .enabled(if: systemdAnalyze != nil, "systemd-analyze is not installed; skipping the systemd units' check (their directives are still checked)"),
        .timeLimit(.minutes(1)))
    func unitsVerify() async throws {
        let analyze = try #require(Self.systemdAnalyze)
        try #require(FileManager.default.isExecutableFile(atPath: ProcessColonyTests.executable.path), "build the colony executable first")
        // verify checks that ExecStart's binary exists: the one built here stands in for /usr/local/bin/colony.
        let folder = NSTemporaryDirectory() + "colony-units-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var units: [String] = []
        for name in ["colony-node.service", "colony-control.service"] {
            let unit = try Self.text("systemd/" + name).replacingOccurrences(of: "/usr/local/bin/colony", with: ProcessColonyTests.executable.path)
            try unit.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
            units.append(folder + "/" + name)
        }
        let verified = try await ChildProcess.run(["verify"] + units, executable: analyze, within: .seconds(50))
        #expect(verified.status == 0, "\(verified.output)")
        #expect(!verified.output.contains(folder), "systemd-analyze warned about a unit: \(verified.output)")
    }

    @Test("the node's unit runs it as its own user, hardened, writing only its state directory, with time for a polite stop")
    func nodeUnitDirectives() throws {
        let unit = try UnitDirectives(Self.text("systemd/colony-node.service"))
        #expect(unit["ExecStart"] == ["/usr/local/bin/colony node run --config /etc/colony/colony.json --log-format json"])
        for (key, value) in [
            ("User", "colony"), ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
            ("StateDirectory", "colony"), ("Restart", "on-failure"), ("KillSignal", "SIGTERM"), ("CapabilityBoundingSet", ""),
        ] {
            #expect(unit[key] == [value], "\(key)=\(value) expected, found \(unit[key])")
        }
        let stop = try #require(unit["TimeoutStopSec"].first.flatMap { Int64($0.dropLast()) }, "TimeoutStopSec in seconds, as 30s")
        #expect(stop > Self.politeStopSeconds)
        let files = try #require(unit["LimitNOFILE"].first.flatMap { Int($0) })
        #expect(files >= 65_536)
    }

    @Test("the Containerfile runs `colony node run` as a user without privileges, with the data volume and the ports the configuration binds")
    func containerfile() throws {
        let recipe = try Self.text("container/Containerfile")
        #expect(recipe.contains(#"ENTRYPOINT ["/usr/local/bin/colony", "node", "run"]"#))
        #expect(recipe.contains("COPY .build/release/colony /usr/local/bin/colony"))
        #expect(recipe.contains("USER 10001:10001"))
        #expect(recipe.contains(#"VOLUME ["/var/lib/colony"]"#))
        let listen = try #require(try SharedConfiguration.load().listen)
        let ports = [listen.peer, listen.client, listen.admin].compactMap { $0?.split(separator: ":").last }.joined(separator: " ")
        #expect(recipe.contains("EXPOSE \(ports)"))
    }
}

/// The colony.json inside `deploy/kubernetes/configmap.yaml`, written to a file of its own.
enum SharedConfiguration {
    /// Where the tests write it, to be read as a node reads its file (the same text each time).
    static let path = NSTemporaryDirectory() + "colony-deploy-kit-\(ProcessInfo.processInfo.processIdentifier).json"

    /// The block scalar under `colony.json: |`, its indentation removed, written to `path`
    /// and loaded for the node the file names.
    static func load() throws -> NodeConfig {
        let manifest = try String(contentsOf: DeployKitTests.kubernetes.appendingPathComponent("configmap.yaml"), encoding: .utf8)
        let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "colony.json: |" }, "no colony.json in the ConfigMap")
        let body = lines[(start + 1)...].prefix { $0.hasPrefix("    ") || $0.isEmpty }.map { $0.dropFirst(min(4, $0.count)) }
        try body.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return try NodeConfig.load(path: path)
    }
}

/// What a StatefulSet of the kit says about its nodes, read from its text.
struct StatefulSetShape {
    /// The StatefulSet's name, its pods' names before the index.
    var name: String
    /// The zone its node affinity pins it to.
    var zone: String
    /// The node ids of its pods: its ordinals.
    var nodeIDs: ClosedRange<UInt32>
    /// How long Kubernetes waits after SIGTERM before SIGKILL.
    var terminationGraceSeconds: Int64
    /// The whole manifest.
    var text: String

    init(_ text: String, file: String) throws {
        func value(_ pattern: Regex<(Substring, Substring)>) throws -> String {
            try String(#require(text.firstMatch(of: pattern), "\(file) lacks \(pattern)").output.1)
        }
        self.text = text
        name = try value(/\nmetadata:\n  name: (\S+)/)
        zone = try value(/key: topology.kubernetes.io\/zone\n\s+operator: In\n\s+values: \[(\S+)\]/)
        let start = try #require(UInt32(try value(/ordinals:\n    start: (\d+)/)))
        let replicas = try #require(UInt32(try value(/\n  replicas: (\d+)/)))
        nodeIDs = start...(start + replicas - 1)
        terminationGraceSeconds = try #require(Int64(try value(/terminationGracePeriodSeconds: (\d+)/)))
    }
}

/// The directives of a systemd unit, each key's values in order.
struct UnitDirectives {
    private var values: [String: [String]] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("[") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals]), default: []].append(String(line[line.index(after: equals)...]))
        }
    }

    /// The values given to `key`, empty when it is not set.
    subscript(key: String) -> [String] {
        values[key] ?? []
    }
}
