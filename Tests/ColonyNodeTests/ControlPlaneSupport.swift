import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyTestSupport
import Foundation
@testable import colony

/// What the control-plane tests share: a colony of node processes with a directory, the
/// `colony` executable run as a command, and waits on what the colony reports.
enum ControlPlaneSupport {
    /// The `colony` executable built beside the tests.
    static var executable: String { ProcessColonyTests.executable.path }

    /// Starts `nodes` node processes over 3 zones and makes their directory with
    /// `directoryReplicas` replicas; returns the colony and a client of its directory.
    static func colony(nodes: Int, directoryReplicas: Int, root: String) async throws -> (LocalNodes, Directory) {
        let colony = try await LocalNodes.start(count: nodes, directory: root, zones: 3, executable: executable)
        do {
            _ = try await DirectoryInitialization.run(config: colony.configs[0], replicas: directoryReplicas, tls: colony.clientTLS)
            let client = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS, policy: ClientOptions.controlPolicy)
            return (colony, Directory(client: client))
        } catch {
            colony.stopAll()
            throw error
        }
    }

    /// Runs `colony ARGUMENTS` against `colony` (its nodes and development client
    /// certificate) to its end; returns its exit status and what it printed.
    static func run(_ arguments: [String], against colony: LocalNodes) async throws -> (status: Int32, output: String, error: String) {
        let files = LocalNodes.certificates(directory: colony.directory).files(for: .client(CertificateFolder.developmentClient))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments + [
            "--nodes", colony.clientAddresses.joined(separator: ","), "--ca", files.ca, "--cert", files.certificate, "--key", files.key,
        ]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return try await OwnThread.run {
            let printed = output.fileHandleForReading.readDataToEndOfFile()
            let complained = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complained, as: UTF8.self))
        }
    }

    /// Polls `condition` every 100 ms until it holds; false if `timeout` passed first.
    static func eventually(within timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return await condition()
    }

    /// Whether `node` is out of every cell: no cell's newest configuration has it, no record
    /// places it, no move is under way, and its own replicas all know they are not members.
    static func isDrained(_ node: UInt32, colony: LocalNodes, directory: Directory) async -> Bool {
        guard let snapshot = try? await directory.snapshot(),
              snapshot.cells.allSatisfy({ $0.move == nil && !$0.placement.members.contains(NodeID(node)) })
        else { return false }
        let (observed, _) = await ColonyObserver(client: directory.client).observe(snapshot.nodes)
        guard snapshot.cells.allSatisfy({ observed[$0.cell.name].map { !$0.members.contains(NodeID(node)) } ?? false }) else { return false }
        guard let own = try? await directory.client.listCells(at: colony.configs[Int(node) - 1].own.clientAddress) else { return false }
        return own.allSatisfy { summary in !summary.configuration.members.contains { $0.node == node } }
    }

    /// Whether every replica of gone node `node` is re-placed: no record places it, no move is
    /// under way, and every cell's members, as the nodes report them, are its record's, each
    /// caught up and voting.
    static func isReplaced(_ node: UInt32, directory: Directory) async -> Bool {
        guard let snapshot = try? await directory.snapshot(),
              snapshot.cells.allSatisfy({ $0.move == nil && !$0.placement.members.contains(NodeID(node)) })
        else { return false }
        let (observed, _) = await ColonyObserver(client: directory.client).observe(snapshot.nodes)
        return snapshot.cells.allSatisfy { record in
            guard let cell = observed[record.cell.name], Set(cell.members) == Set(record.placement.members) else { return false }
            return cell.members.allSatisfy(cell.isReadyMember)
        }
    }

    /// The node holding the most replicas of the cells the directory records, ties to the lowest id.
    static func busiestNode(_ snapshot: DirectorySnapshot) -> UInt32 {
        var counts: [UInt32: Int] = [:]
        for record in snapshot.cells {
            for member in record.placement.members { counts[member.rawValue, default: 0] += 1 }
        }
        return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 1
    }
}
