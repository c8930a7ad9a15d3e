import ColonyCheck
import ColonyClient
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// The README's "Running a colony across hosts", rehearsed as a new operator would follow it,
/// on this machine: nine hosts, each a network namespace of its own with its own address on a
/// private bridge (no loopback between them), in three zones, and the operator's machine a
/// tenth. Each host's `/` is a folder of its own: the operator's certificates and the
/// `colony.json` the guide shows are copied into its `/etc/colony` (where a real operator
/// would use scp and install), and the node runs the `ExecStart` line of
/// `deploy/systemd/colony-node.service` as it stands, inside the namespace; node 1's host also
/// runs `colony-control.service`'s with its `control.env`. Every command the operator types is
/// the guide's (`AcrossHostsGuide`, which `AcrossHostsGuideTests` holds equal to the README),
/// run inside the operator's namespace: the certificates, the health checks, the directory,
/// the cells, the control loop's status, and the checked load, whose history is then checked
/// here too, every key read back. Skipped, saying why, without root, `ip`, `iptables` or
/// `curl`; the network is removed at the end, whatever happened. Then a tenth host joins the
/// running colony as the guide's step 7 says, the ninth node is retired for good, and the load
/// runs again: no host's `colony.json` edited, no node restarted.
@Suite(
    "the README's colony across hosts, rehearsed on network namespaces", .serialized, .networkNamespaceTurn, .colonyTurn,
    .enabled(if: RehearsalTools.missing == nil, "\(RehearsalTools.missing ?? ""); skipping the rehearsal"))
struct AcrossHostsRehearsalTests {
    /// `deploy/systemd/` of this checkout.
    static let units = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/systemd")

    /// The nine hosts, then the host that joins, then the operator's machine, on one private
    /// network.
    static let hostCount = 9

    @Test(
        "nine nodes in three zones, in namespaces of their own, set up and started as the guide says, serve a checked load over cells placed across the zones; a tenth joins at runtime and the ninth is retired, and the load is checked again",
        .timeLimit(.minutes(4)))
    func guideWorksAcrossHosts() async throws {
        let tools = try NetworkTools.locate().get()
        let (namespacesBefore, linksBefore) = (ChaosNamespaceTests.namespaces(), ChaosNamespaceTests.links())
        let folder = NSTemporaryDirectory() + "colony-rehearsal-\(UUID().uuidString)"
        let processes = HostProcesses()
        let network = try NamespaceNetwork.create(members: Self.hostCount + 2, tools: tools)
        defer {
            processes.stopAll()
            network.tearDown()
            ChaosNamespaceTests.removeLeftovers(namespaces: namespacesBefore, links: linksBefore)
            try? FileManager.default.removeItem(atPath: folder)
        }
        let rehearsal = Rehearsal(
            guide: AcrossHostsGuide(
                addresses: Array(network.plan.addresses.prefix(Self.hostCount)), joiningAddress: network.plan.addresses[Self.hostCount]),
            network: network, folder: folder, processes: processes)
        try rehearsal.makeFolders()

        // 1. The certificates, on the operator's machine.
        for command in rehearsal.guide.certificateCommands {
            try await rehearsal.operatorRuns(command)
        }
        // 2. Each host's colony.json and files in its /etc/colony, and the operator's copy of node 1's.
        try rehearsal.installHosts()
        // 3. The node on every host, as its systemd unit runs it; the operator waits until each serves.
        let nodeUnit = try #require(AcrossHostsGuide.execStart(ofUnit: try Self.unit("colony-node.service")))
        for node in rehearsal.guide.nodes {
            try rehearsal.start(unit: nodeUnit, on: node, environment: [:], log: "colony-node.log")
        }
        for node in rehearsal.guide.nodes {
            try await rehearsal.waitUntilServing(node)
        }
        // 4. The directory, once.
        try await rehearsal.operatorRuns(rehearsal.guide.directoryCommand)
        // 5. The control loop on node 1's host, as its systemd unit runs it, from its control.env.
        let controlUnit = try #require(AcrossHostsGuide.execStart(ofUnit: try Self.unit("colony-control.service")))
        let controlNode = rehearsal.guide.controlNode
        let controlEnvironment = Dictionary(
            uniqueKeysWithValues: rehearsal.guide.controlEnvironment(root: rehearsal.root(of: controlNode)).map { ($0.name, $0.value) })
        try rehearsal.start(unit: controlUnit, on: controlNode, environment: controlEnvironment, log: "colony-control.log")
        // 6. The cells, placed by the control plane across the zones; the loop's status; the load.
        for command in rehearsal.guide.cellCommands {
            try await rehearsal.operatorRuns(command)
        }
        try await rehearsal.expectCellsSpanZones()
        try await rehearsal.waitForControlLoop()
        let load = try await rehearsal.operatorRuns(rehearsal.guide.loadCommand, within: .seconds(60))
        #expect(load.output.contains("verdict: linearizable"), "\(load.output)")
        try rehearsal.expectLoadChecked()

        // 7. A tenth host joins: its certificate, its colony.json naming itself and node 1, its
        // node started and recorded; then node 9 is retired, its replicas re-placed; the load again.
        let guide = rehearsal.guide
        let filesBefore = try guide.nodes.map { try String(contentsOfFile: rehearsal.root(of: $0) + "/etc/colony/colony.json", encoding: .utf8) }
        let pidsBefore = processes.pids
        try await rehearsal.operatorRuns(guide.joiningCertificateCommand)
        try rehearsal.installJoiningHost()
        try rehearsal.start(unit: nodeUnit, on: guide.joiningNode, environment: [:], log: "colony-node.log")
        try await rehearsal.waitUntilServing(guide.joiningNode)
        let join = try await rehearsal.operatorRuns(guide.joinCommand)
        #expect(join.output.contains("node \(guide.joiningNode) joined"), "\(join.output)")
        try await rehearsal.operatorRuns(guide.goneCommand)
        try await rehearsal.expectReplaced(guide.retiredNode, onto: guide.joiningNode)
        let again = try await rehearsal.operatorRuns(guide.loadCommand, within: .seconds(60))
        #expect(again.output.contains("verdict: linearizable"), "\(again.output)")
        try rehearsal.expectLoadChecked()
        let filesAfter = try guide.nodes.map { try String(contentsOfFile: rehearsal.root(of: $0) + "/etc/colony/colony.json", encoding: .utf8) }
        #expect(filesAfter == filesBefore, "a host's colony.json changed")
        #expect(pidsBefore.allSatisfy { kill($0, 0) == 0 }, "a node or the control loop stopped: \(pidsBefore.filter { kill($0, 0) != 0 })")

        let killed = processes.stopAll()
        #expect(killed.isEmpty, "processes that outlived SIGTERM by 10 s: \(killed)")
        #expect(network.tearDown().isEmpty, "the rehearsal's network outlived its removal")
        #expect(ChaosNamespaceTests.namespaces().subtracting(namespacesBefore).isEmpty, "namespaces left behind")
        #expect(ChaosNamespaceTests.links().subtracting(linksBefore).isEmpty, "veths or a bridge left behind")
    }

    /// The text of the unit `name` in `deploy/systemd/`.
    static func unit(_ name: String) throws -> String {
        try String(contentsOf: units.appendingPathComponent(name), encoding: .utf8)
    }
}

/// What the rehearsal needs from this machine beyond the namespaces' tools.
enum RehearsalTools {
    /// The `curl` the operator's health checks run, found on PATH or in the system folders.
    static let curl: String? = ((ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + NetworkTools.systemFolders)
        .map { $0 + "/curl" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why the rehearsal cannot run here, or nil if it can.
    static var missing: String? {
        if let missing = NetworkTools.missing { return missing }
        return curl == nil ? "the rehearsal's health checks need curl (Debian: apt-get install curl)" : nil
    }
}

/// One rehearsal's hosts and operator: host `i` is member `i` of the network and the folder
/// `root(of: i)`; the operator's machine is the member after the last host, working in
/// `operatorFolder`.
private struct Rehearsal {
    let guide: AcrossHostsGuide
    let network: NamespaceNetwork
    let folder: String
    let processes: HostProcesses

    /// The operator's machine's member of the network, after the joining host's.
    var operatorMember: Int { guide.joiningNode + 1 }
    /// The operator's working folder.
    var operatorFolder: String { folder + "/operator" }
    /// The folder that stands for host `node`'s `/`.
    func root(of node: Int) -> String { folder + "/host-\(node)" }

    /// The operator's folder and each host's `/etc/colony`, `/var/lib/colony` (0700, as the
    /// unit's `StateDirectory` makes it) and `/var/log`.
    func makeFolders() throws {
        let files = FileManager.default
        try files.createDirectory(atPath: operatorFolder, withIntermediateDirectories: true)
        for node in Array(guide.nodes) + [guide.joiningNode] {
            let root = root(of: node)
            try files.createDirectory(atPath: root + AcrossHostsGuide.configurationFolder, withIntermediateDirectories: true)
            try files.createDirectory(atPath: root + "/var/log", withIntermediateDirectories: true)
            try files.createDirectory(
                atPath: root + AcrossHostsGuide.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// Runs `colony arguments` on the operator's machine, in its folder, with the guide's
    /// exported variables; fails the test, with what it printed, unless it succeeds.
    @discardableResult
    func operatorRuns(_ arguments: [String], within limit: Duration = .seconds(30)) async throws -> CommandRun {
        let environment = Dictionary(uniqueKeysWithValues: guide.operatorEnvironment.map { ($0.name, $0.value) })
        let command = network.inside(operatorMember) + [CommandRun.executable.path] + arguments
        let run = try await CommandRun.run(command: command, environment: environment, directory: operatorFolder, within: limit)
        let status = run.status.map(String.init) ?? "killed"
        try #require(run.status == 0, "`colony \(AcrossHostsGuide.line(arguments))` on the operator's machine: status \(status)\n\(run.output)\(run.errors)")
        return run
    }

    /// Puts each host's colony.json and the operator's files into its `/etc/colony`, and the
    /// operator's copy of node 1's file, exactly as the README shows it (its paths are the
    /// hosts', which the operator's machine does not have), in the operator's folder.
    func installHosts() throws {
        try guide.configuration(node: 1).write(toFile: operatorFolder + "/colony.json", atomically: true, encoding: .utf8)
        for node in guide.nodes {
            let target = root(of: node) + AcrossHostsGuide.configurationFolder
            try guide.configuration(node: node, root: root(of: node)).write(toFile: target + "/colony.json", atomically: true, encoding: .utf8)
            for file in guide.filesCopied(to: node) {
                let name = (file as NSString).lastPathComponent
                try FileManager.default.copyItem(atPath: operatorFolder + "/" + file, toPath: target + "/" + name)
            }
        }
        try guide.controlEnvironmentFile(root: root(of: guide.controlNode))
            .write(toFile: root(of: guide.controlNode) + AcrossHostsGuide.configurationFolder + "/control.env", atomically: true, encoding: .utf8)
    }

    /// Step 7's files: the joining host's colony.json and certificates in its `/etc/colony`,
    /// and the operator's copy of its colony.json, as the README shows it.
    func installJoiningHost() throws {
        let node = guide.joiningNode
        try guide.joiningConfiguration().write(toFile: operatorFolder + "/colony-\(node).json", atomically: true, encoding: .utf8)
        let target = root(of: node) + AcrossHostsGuide.configurationFolder
        try guide.joiningConfiguration(root: root(of: node)).write(toFile: target + "/colony.json", atomically: true, encoding: .utf8)
        for file in guide.filesCopied(to: node) {
            try FileManager.default.copyItem(atPath: operatorFolder + "/" + file, toPath: target + "/" + (file as NSString).lastPathComponent)
        }
    }

    /// Waits (60 s at most) until no cell has a member on `retired`, and `joined` holds at
    /// least one replica, as the cells themselves say.
    func expectReplaced(_ retired: Int, onto joined: Int) async throws {
        let client = try client()
        let deadline = ContinuousClock.now + .seconds(60)
        var members: [String: [Int]] = [:]
        while ContinuousClock.now < deadline {
            for cell in guide.cells {
                if let info = try? await client.cellInfo(cell.name) { members[cell.name] = info.configuration.members.map { Int($0.node) } }
            }
            let placed = members.count == guide.cells.count && members.values.allSatisfy { !$0.contains(retired) }
            if placed, members.values.contains(where: { $0.contains(joined) }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        await client.close()
        #expect(members.values.allSatisfy { !$0.contains(retired) && $0.count > 0 }, "node \(retired) still holds replicas: \(members)")
        #expect(members.values.contains { $0.contains(joined) }, "node \(joined) took no replica: \(members)")
    }

    /// Starts a unit's `ExecStart` line on host `node`, inside its namespace, its output to
    /// `log` in the host's `/var/log` (journald's stand-in).
    func start(unit command: [String], on node: Int, environment: [String: String], log: String) throws {
        let onHost = AcrossHostsGuide.onHost(command, root: root(of: node), executable: CommandRun.executable.path)
        try processes.start(network.inside(node) + onHost, environment: environment, directory: root(of: node), log: root(of: node) + "/var/log/" + log)
    }

    /// The operator's health check of `node`, again until it says `serving` (60 s at most).
    func waitUntilServing(_ node: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        let curl = try #require(RehearsalTools.curl, "no curl")
        let command = network.inside(operatorMember) + [curl] + guide.healthCheck(node: node).dropFirst()
        while true {
            let check = try await CommandRun.run(command: command, directory: operatorFolder, within: .seconds(10))
            if check.status == 0, check.output == "serving\n" { return }
            let log = (try? String(contentsOfFile: root(of: node) + "/var/log/colony-node.log", encoding: .utf8)) ?? ""
            try #require(ContinuousClock.now < deadline, "node \(node) did not say serving within 60 s: \(check.output)\(check.errors)\n\(log.suffix(2_000))")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// A client of the root namespace, reaching the nodes through the bridge with the
    /// operator's certificate.
    func client() throws -> ColonyClient {
        let certificates = operatorFolder + "/certs"
        return try ColonyClient(
            nodes: guide.addresses.map { "\($0):\(AcrossHostsGuide.clientPort)" },
            tls: .files(ca: certificates + "/ca.pem", certificate: certificates + "/client-ops.pem", key: certificates + "/client-ops.key"))
    }

    /// Each cell's members, as the cell itself says, number its replicas and take a node of
    /// every zone.
    func expectCellsSpanZones() async throws {
        let client = try client()
        for cell in guide.cells {
            let members: [Int]
            do {
                members = try await client.cellInfo(cell.name).configuration.members.map { Int($0.node) }
            } catch {
                await client.close()
                throw error
            }
            #expect(members.count == cell.replicas, "\(cell.name): members \(members)")
            #expect(Set(members.map(guide.zone(of:))) == Set(guide.zones), "\(cell.name): members \(members) leave a zone out")
        }
        await client.close()
    }

    /// The operator's `colony control status`, again until it reports a pass of the loop
    /// (30 s at most).
    func waitForControlLoop() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            let status = try await operatorRuns(guide.controlStatusCommand)
            // "control loop ID, pass N: ..." once a loop has written what it did.
            if status.output.range(of: #"control loop \d+, pass \d+"#, options: .regularExpression) != nil { return }
            let log = (try? String(contentsOfFile: root(of: guide.controlNode) + "/var/log/colony-control.log", encoding: .utf8)) ?? ""
            try #require(ContinuousClock.now < deadline, "no pass of the control loop within 30 s: \(status.output)\n\(log.suffix(2_000))")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The load's history, read from the operator's folder, is linearizable, did work, and
    /// its final reads read every key back.
    func expectLoadChecked() throws {
        let text = try String(contentsOfFile: operatorFolder + "/history.jsonl", encoding: .utf8)
        let events = try HistoryCoding.parse(text)
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let completed = events.filter { $0.type == .ok }.count
        #expect(completed > 100, "only \(completed) operations completed")
        let keys = guide.cells.count * LoadRunner(nodes: [], tls: .plaintext, cells: []).keysPerCell  // `colony load`'s keys per cell
        let finalReads = events.suffix(2 * keys).filter { $0.type == .ok && $0.function == .read }
        #expect(finalReads.count == keys, "\(keys - finalReads.count) of the final reads went unanswered")
    }
}
