import ColonyAPI
import ColonyAuth
@testable import ColonyClient
import ColonyControl
import ColonyTestSupport
import Foundation
import GRPCCore
import Testing
@testable import colony
@_spi(Testing) @testable import ColonyNode

/// A node keeps enforcing the policy it read last while the directory is unreachable, across
/// a restart too (static stability).
@Suite("authorization stays on while the directory is down", .serialized, .colonyTurn)
struct PolicyStaticStabilityTests {
    /// Five nodes, the directory on nodes 1–3 with authorization on; nodes 1 and 2 stop (and
    /// 3, if `stopsEveryMember`), so the directory has no majority; node 5 fails to read the
    /// policy at least once, then restarts (without the copy it kept, if `forgetsKept`, as a
    /// node on a new data directory would; with a configuration naming only itself and node 4,
    /// if `namesOnlyNode4`, as a joining node's may). Returns the status of the application's
    /// write to a cell it has no grant on, sent to node 5 after its restart.
    private func refusalAfterRestart(
        defects: Set<AuthorizationDefect>, forgetsKept: Bool = false, stopsEveryMember: Bool = false, namesOnlyNode4: Bool = false
    ) async throws -> RPCError.Code? {
        var options = ColonyNodeServer.Options()
        options.policyRefreshInterval = .milliseconds(200)
        options.authorizationDefects = defects
        let colony = try LocalColony(nodes: 5, options: options)
        try await colony.startAll()
        let admin = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await admin.createCell(ColonyDirectory.cell, nodes: [1, 2, 3])
        _ = try await DevAuthorization.apply(DevAuthorization.changes(), in: Directory(client: admin))
        await admin.close()
        for node: UInt32 in [4, 5] {
            try await waitUntil(.seconds(60), "node \(node) enforces the policy") { colony.servers[node]?.authorizer.current.cached?.policy.enabled == true }
        }

        await colony.stop(1)
        await colony.stop(2)
        if stopsEveryMember { await colony.stop(3) }
        let failures = colony.servers[5]?.authorizer.readFailures ?? 0
        try await waitUntil(.seconds(60), "node 5 fails to read the policy") { (colony.servers[5]?.authorizer.readFailures ?? 0) > failures }
        #expect(try await appWrite(colony) == .permissionDenied, "a failed read leaves the policy as it was")

        await colony.stop(5)
        if forgetsKept { try FileManager.default.removeItem(atPath: PolicyFile(directory: colony.configs[4].dataDirectory).path) }
        if namesOnlyNode4 { colony.configs[4].nodes.removeAll { $0.node < 4 } }
        try await colony.start(5)
        if forgetsKept {
            // The restarted node's first read has ended: what it made of it decides the answer.
            try await waitUntil(.seconds(60), "node 5's first read of the policy ends") {
                (colony.servers[5]?.authorizer.readFailures ?? 0) > 0 || colony.servers[5]?.authorizer.current != .unread
            }
        }
        let status = try await appWrite(colony)
        await colony.shutdown()
        return status
    }

    /// The status of a raw Put by client `app` to `other-1` at node 5: PERMISSION_DENIED when
    /// the policy refused it, UNAVAILABLE when the node had read no policy yet, nil when the
    /// call was not refused by authorization (it then fails otherwise: no node hosts the cell).
    private func appWrite(_ colony: LocalColony) async throws -> RPCError.Code? {
        let files = colony.certificates.files(for: .client(CertificateFolder.applicationClient))
        let app = ClientTLS.files(ca: files.ca, certificate: files.certificate, key: files.key)
        return try await RawColonyCall.with(colony.configs[4].own.clientAddress, tls: app) { client, _ in
            var put = Colony_V1_PutRequest()
            put.header.cell = "other-1"
            put.header.clientID = 9
            put.header.sequence = 1
            put.header.opensSession = true
            put.key = "k"
            do {
                _ = try await client.put(put)
                return nil
            } catch let error as RPCError where error.code == .permissionDenied {
                return error.code
            } catch let error as RPCError where error.code == .unavailable && error.message.contains(AuthRefusal.policyUnread) {
                return error.code
            } catch let error as RPCError where Colony_V1_Error(carriedBy: error) != nil {
                return nil
            }
        }
    }

    @Test("a node restarted while the directory has no majority enforces the policy it kept on disk", .timeLimit(.minutes(4)))
    func keptAcrossRestart() async throws {
        #expect(try await refusalAfterRestart(defects: []) == .permissionDenied)
    }

    @Test("a node restarted without a kept policy while the directory has no majority refuses the application as not having read one", .timeLimit(.minutes(4)))
    func noKeptCopy() async throws {
        #expect(try await refusalAfterRestart(defects: [], forgetsKept: true) == .unavailable)
    }

    @Test("a node restarted without a kept policy while every member of the directory is down refuses the application as not having read one", .timeLimit(.minutes(4)))
    func noKeptCopyNoMember() async throws {
        #expect(try await refusalAfterRestart(defects: [], forgetsKept: true, stopsEveryMember: true) == .unavailable)
    }

    @Test("with the census skipped (a defect), that node takes the colony for one without a directory and lets the application through", .timeLimit(.minutes(4)))
    func noCensus() async throws {
        #expect(try await refusalAfterRestart(defects: [.noDirectoryCensus], forgetsKept: true, stopsEveryMember: true) == nil)
    }

    @Test("a node restarted without a kept policy, configured to reach only a node that hosts no replica of the directory, refuses the application: that node says the directory exists", .timeLimit(.minutes(4)))
    func noKeptCopyOnlyNonMember() async throws {
        let status = try await refusalAfterRestart(defects: [], forgetsKept: true, stopsEveryMember: true, namesOnlyNode4: true)
        #expect(status == .unavailable, "\(String(describing: status))")
    }

    @Test("with the directory called not found by a node that has read it (a defect), that node lets the application through", .timeLimit(.minutes(4)))
    func directoryCalledNotFound() async throws {
        #expect(try await refusalAfterRestart(defects: [.directoryCalledNotFound], forgetsKept: true, stopsEveryMember: true, namesOnlyNode4: true) == nil)
    }

    @Test("with the kept policy ignored at start (a defect), the restarted node lets the application through", .timeLimit(.minutes(4)))
    func notKept() async throws {
        #expect(try await refusalAfterRestart(defects: [.policyNotKept]) == nil)
    }
}
