import ColonyCheck
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyNode
import ColonyPlacement
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// A colony rotates its CA with no node restarted, as the README's procedure does it: the
/// old and the new CA in every CA file, every certificate issued again by the new CA, the
/// old CA removed; each step seen taken up by every node before the next.
@Suite("certificate rotation on a colony of node processes", .serialized, .colonyTurn)
struct CertificateRotationProcessTests {
    /// How many changed sets of TLS files `config`'s node took up (its /metrics); 0 before the first.
    private func reloads(_ config: NodeConfig) -> Int {
        guard let admin = config.own.adminAddress, let page = AdminScrape.get("/metrics", from: admin) else { return 0 }
        return Int(AdminScrape.metric("colony_tls_reloads_total", in: page) ?? 0)
    }

    /// Waits, within 30 s, until every node has taken up `count` changed sets.
    private func waitForReloads(_ count: Int, of colony: LocalNodes, _ step: String) async throws {
        for config in colony.configs {
            let reloaded = await ControlPlaneSupport.eventually(within: .seconds(30)) { reloads(config) >= count }
            try #require(reloaded, "node \(config.node) did not take up the TLS files \(step) within 30 s; see \(colony.directory)/n\(config.node).log")
        }
    }

    @Test(
        "3 processes under a checked load: bundle, reissue and removal of the old CA are taken up with no restart; 0 errors, linearizable; an old-CA client is refused at the end",
        .timeLimit(.minutes(4)))
    func rotateUnderLoad() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-rotation-\(UUID().uuidString)"
        let (colony, directory) = try await ControlPlaneSupport.colony(nodes: 3, directoryReplicas: 3, root: root)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let pids = colony.processes.mapValues(\.processIdentifier)
        let cells = ["alpha", "beta"]
        for cell in cells {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: directory)
        }
        await directory.client.close()
        let live = LocalNodes.certificates(directory: root)
        let oldAuthority = try String(contentsOfFile: live.authorityCertificate, encoding: .utf8)
        let app = live.files(for: .client(CertificateFolder.applicationClient))
        #expect(await ServedProbe.isServed(app, at: colony.clientAddresses[0]))

        var policy = ColonyClient.Policy()
        policy.deadline = .seconds(10)
        var runner = LoadRunner(nodes: colony.clientAddresses, tls: colony.clientTLS, cells: cells)
        runner.clients = 4
        runner.duration = .seconds(180)
        runner.policy = policy
        let load = runner
        let log = HistoryLog()
        async let history = load.run(history: log)
        let progress = LoadProgress(log: log, perStep: 40, within: .seconds(60))
        try await progress.wait("before the rotation")

        // 1. The new CA beside the old one in the CA file every node and client reads.
        let new = CertificateFolder(directory: root + "/new-certs")
        let newAuthority = try new.makeAuthority(subject: "CN=Colony CA 2, O=Colony", force: false)
        try CertificateFolder.writeFile(oldAuthority + newAuthority.certificatePEM, to: live.authorityCertificate, mode: 0o644)
        try await waitForReloads(1, of: colony, "with both CAs")
        try await progress.wait("with both CAs")

        // 2. Every node's certificate, and the load's client certificate, issued again by the new CA.
        for identity in colony.configs.map({ CertificateIdentity.node(NodeID($0.node)) }) + [.client(CertificateFolder.developmentClient)] {
            let issued = try newAuthority.issue(identity)
            let files = live.files(for: identity)
            try CertificateFolder.writeFile(issued.keyPEM, to: files.key, mode: 0o600)
            try CertificateFolder.writeFile(issued.certificatePEM, to: files.certificate, mode: 0o644)
        }
        try await waitForReloads(2, of: colony, "with the certificates of the new CA")
        try await progress.wait("with the certificates of the new CA")

        // 3. The old CA removed.
        try CertificateFolder.writeFile(try newAuthority.certificatePEM, to: live.authorityCertificate, mode: 0o644)
        try await waitForReloads(3, of: colony, "without the old CA")
        try await progress.wait("without the old CA")
        await log.stop()

        let events = try await history
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        let ended = events.filter { $0.type != .invoke }.count
        let errors = await log.errors
        print("CA rotation under load: \(ended) operations, \(errors) ended in an error after the client's retries")
        #expect(errors == 0, "\(errors) of \(ended) operations ended in an error during the rotation")

        // The app's certificate is still the old CA's: every node refuses it now; the new dev one is served.
        let newDevelopment = live.files(for: .client(CertificateFolder.developmentClient))
        for address in colony.clientAddresses {
            #expect(await !ServedProbe.isServed(app, at: address), "\(address) served a certificate of the removed CA")
            #expect(await ServedProbe.isServed(newDevelopment, at: address), "\(address) refused a certificate of the new CA")
        }
        #expect(colony.processes.mapValues(\.processIdentifier) == pids, "a node was restarted")
    }
}
