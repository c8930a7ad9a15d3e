import ColonyAPI
import ColonyAuth
import ColonyBackup
@testable import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyStorage
import ColonyTestSupport
import Foundation
import GRPCCore
import Testing
@testable import colony

/// Authorization on a colony of node processes, turned on as `colony dev up` does: the client
/// `dev` is admin, the client `app` reads and writes the cells `app-*` only.
@Suite("authorization on a colony of node processes", .serialized, .colonyTurn)
struct AuthorizationProcessTests {
    /// The colony and what the test reaches it with.
    private struct Fixture {
        let colony: LocalNodes
        let admin: ColonyClient
        let adminDirectory: Directory
        let app: ColonyClient
        let appDirectory: Directory
        let appTLS: ClientTLS
    }

    /// Four node processes, a directory of 3 replicas, authorization on, and every node seen
    /// enforcing it (its /metrics says so).
    private func start(root: String) async throws -> Fixture {
        let (colony, adminDirectory) = try await ControlPlaneSupport.colony(nodes: 4, directoryReplicas: 3, root: root)
        do {
            let policy = try await DevAuthorization.enable(on: colony)
            #expect(policy.enabled)
            for config in colony.configs {
                let admin = try #require(config.own.adminAddress)
                try await waitUntil(.seconds(30), "node \(config.node) enforces the policy") {
                    (try? await HTTPProbe.get("/metrics", from: admin).body.contains("colony_authorization_enabled 1")) == true
                }
            }
            let files = LocalNodes.certificates(directory: root).files(for: .client(CertificateFolder.applicationClient))
            let appTLS = ClientTLS.files(ca: files.ca, certificate: files.certificate, key: files.key)
            let app = try ColonyClient(nodes: colony.clientAddresses, tls: appTLS, policy: ClientOptions.controlPolicy)
            return Fixture(
                colony: colony, admin: adminDirectory.client, adminDirectory: adminDirectory, app: app, appDirectory: Directory(client: app),
                appTLS: appTLS)
        } catch {
            // The caller stops the nodes only once it has the fixture.
            colony.stopAll()
            throw error
        }
    }

    /// Waits until every node of `fixture` but those `excepted` enforces the policy the
    /// directory holds now (its version, at the node's /metrics), at most 30 s each.
    private func waitUntilEnforced(_ fixture: Fixture, excepted: Set<UInt32> = []) async throws {
        let version = try await fixture.adminDirectory.policy().version
        for config in fixture.colony.configs where !excepted.contains(config.node) {
            let admin = try #require(config.own.adminAddress)
            try await waitUntil(.seconds(30), "node \(config.node) enforces policy version \(version)") {
                let page = try await HTTPProbe.get("/metrics", from: admin).body
                return page.split(separator: "\n").contains { $0.hasPrefix("colony_authorization_policy_version ") && Double($0.split(separator: " ").last ?? "") ?? 0 >= Double(version) }
            }
        }
    }

    /// Whether `body` failed as refused by authorization, as the client library or the
    /// directory reports it.
    private func isRefused(_ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return false
        } catch ColonyError.unauthorized {
            return true
        } catch ControlError.directory(.unauthorized) {
            return true
        } catch DirectoryError.unauthorized {
            return true
        } catch {
            Issue.record("expected a refusal, got \(error)")
            return false
        }
    }

    @Test(
        "an application identity reads and writes its cells and is refused everything else, with nothing changed; an admin may do each; nobody deletes the directory",
        .timeLimit(.minutes(4)))
    func applicationAndAdmin() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-authz-\(UUID().uuidString)"
        let fixture = try await start(root: root)
        defer {
            fixture.colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let (admin, app) = (fixture.admin, fixture.app)
        let policy = try await fixture.adminDirectory.policy().policy
        for cell in ["app-1", "other-1"] {
            _ = try await CellCreation.create(PlacementRequest(cell: CellID(cell), replicas: 3), quota: nil, directory: fixture.adminDirectory)
        }

        // The application's own cells.
        _ = try await app.put("app-1", "greeting", "hello")
        #expect(try await app.get("app-1", "greeting")?.text == "hello")

        // Another application's cell, through the library and as a raw call: PERMISSION_DENIED.
        #expect(await isRefused { _ = try await app.put("other-1", "k", "v") })
        #expect(await isRefused { _ = try await app.get("other-1", "k") })
        let status = try await RawColonyCall.with(fixture.colony.clientAddresses[0], tls: fixture.appTLS) { client, _ in
            var put = Colony_V1_PutRequest()
            put.header.cell = "other-1"
            put.header.clientID = 7
            put.header.sequence = 1
            put.header.opensSession = true
            put.key = "k"
            do {
                _ = try await client.put(put)
                return RPCError.Code?.none
            } catch let error as RPCError {
                #expect(error.message.contains("urn:colony:client:app") && error.message.contains("other-1"), "\(error.message)")
                return error.code
            }
        }
        #expect(status == .permissionDenied)
        #expect(try await admin.get("other-1", "k") == nil, "nothing was written")
        // Listing a node's cells is the admin's: PERMISSION_DENIED, the refusal in band too.
        let listing = try await RawColonyCall.with(fixture.colony.clientAddresses[0], tls: fixture.appTLS) { client, _ in
            await GRPCStatusTests.status { _ = try await client.listCells(Colony_V1_ListCellsRequest()) }
        }
        #expect(listing?.code == .permissionDenied, "\(String(describing: listing))")
        #expect(listing.flatMap(Colony_V1_Error.init(carriedBy:))?.code == .unauthorized)

        // The directory, written directly.
        #expect(await isRefused { _ = try await app.put(ColonyDirectory.cell, "cell/evil", "{}") })
        #expect(try await admin.get(ColonyDirectory.cell, "cell/evil") == nil)

        // The control plane's operations.
        let drained: UInt32 = 4
        #expect(await isRefused { _ = try await OperatorCommand.setState(node: drained, .draining).run(directory: fixture.appDirectory) })
        #expect(try await fixture.adminDirectory.nodes().first { $0.id == drained }?.state == .active)
        #expect(await isRefused { _ = try await OperatorCommand.setPaused(true).run(directory: fixture.appDirectory) })
        #expect(try await fixture.adminDirectory.settings().paused == false)

        // Backup and restore: the admin's backup reads every cell; the application's is
        // refused at the directory and leaves no folder; its restore is refused before it writes.
        let backupFolder = NSTemporaryDirectory() + "colony-auth-backup-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: backupFolder) }
        let refusedFolder = backupFolder + "-app"
        #expect(await isRefused {
            _ = try await BackupTaking(client: app, folder: BackupFolder(path: refusedFolder), sealer: Sealer(key: nil), caSHA256: nil).run()
        })
        #expect(!FileManager.default.fileExists(atPath: refusedFolder))
        let backup = try await BackupTaking(client: admin, folder: BackupFolder(path: backupFolder), sealer: Sealer(key: nil), caSHA256: nil).run()
        #expect(Set(backup.manifest.cells.map(\.cell)).isSuperset(of: [ColonyDirectory.cell, "app-1"]), "\(backup.manifest.cells.map(\.cell))")
        #expect(await isRefused {
            var restoring = BackupRestoring(directory: fixture.appDirectory, folder: BackupFolder(path: backupFolder), sealer: Sealer(key: nil))
            restoring.skipExisting = true
            _ = try await restoring.run()
        })
        // The admin puts the backup's policy back in place of one changed since.
        _ = try await fixture.adminDirectory.change(.addRole("added-after-the-backup"))
        var restoring = BackupRestoring(directory: fixture.adminDirectory, folder: BackupFolder(path: backupFolder), sealer: Sealer(key: nil))
        restoring.skipExisting = true
        restoring.policyRestoredBy = .client(CertificateFolder.developmentClient)
        let restored = try await restoring.run()
        #expect(restored.policy?.roles["added-after-the-backup"] == nil)
        #expect(try await fixture.adminDirectory.policy().policy.roles["added-after-the-backup"] == nil)

        let before = try await admin.cellInfo("app-1")
        let members = before.configuration.members.map(\.node)
        let outsider = try #require((1...4).first { !members.contains($0) })
        #expect(await isRefused {
            _ = try await app.changeMembership("app-1", remove: members[0], add: outsider, expectedEpoch: before.configuration.epoch)
        })
        #expect(try await admin.cellInfo("app-1").configuration.members.map(\.node) == members, "the members are as they were")
        let follower = try #require(members.first { $0 != before.leader })
        #expect(await isRefused { _ = try await app.transferLeadership("app-1", to: follower) })
        #expect(try await admin.cellInfo("app-1").leader == before.leader, "the leader is as it was")
        #expect(await isRefused { _ = try await app.deleteCell("app-1") })
        #expect(try await app.get("app-1", "greeting")?.text == "hello", "the cell was not deleted")
        #expect(await isRefused { _ = try await app.createCell("_evil", nodes: [1, 2, 3]) })
        for address in fixture.colony.clientAddresses {
            #expect(try await admin.listCells(at: address).allSatisfy { $0.cell != "_evil" })
        }
        // Asked again some round trips later: a transfer that had been carried out would have
        // finished by now.
        #expect(try await admin.cellInfo("app-1").leader == before.leader, "the leader is still as it was")

        // Nobody deletes the directory, not even an admin.
        #expect(await isRefused { try await app.deleteCell(ColonyDirectory.cell) })
        #expect(await isRefused { try await admin.deleteCell(ColonyDirectory.cell) })
        #expect(try await fixture.adminDirectory.nodes().count == 4, "the directory still answers")

        // The admin may do each of the rest.
        _ = try await admin.put("other-1", "k", "v")
        // A record written straight into the directory, as the control plane writes it.
        let record = try #require(try await fixture.adminDirectory.nodes().first { $0.id == drained })
        _ = try await admin.put(ColonyDirectory.cell, ColonyDirectory.nodeKey(drained), try DirectoryRecord.node(record).encoded())
        _ = try await OperatorCommand.setState(node: drained, .draining).run(directory: fixture.adminDirectory)
        _ = try await OperatorCommand.setState(node: drained, .active).run(directory: fixture.adminDirectory)
        _ = try await OperatorCommand.setPaused(true).run(directory: fixture.adminDirectory)
        _ = try await OperatorCommand.setPaused(false).run(directory: fixture.adminDirectory)
        let transfer = try await admin.transferLeadership("app-1", to: follower)
        #expect([.asked, .alreadyLeader].contains(transfer), "\(transfer)")
        // Right after the transfer the cell's leader may not have heard every member yet, and
        // it rightly refuses a change that could cost the majority until it has: ask again.
        var change = MembershipChangeAnswer.refused(.wouldLoseMajority, "not asked yet")
        try await waitUntil(.seconds(30), "the cell's leader to hear every member and take the admin's change") {
            change = try await admin.changeMembership("app-1", remove: members[0], add: outsider, expectedEpoch: before.configuration.epoch)
            if case .refused(.wouldLoseMajority, _) = change { return false }
            return true
        }
        guard case .applied(let configuration) = change else {
            Issue.record("the admin's membership change was not applied: \(change)")
            return
        }
        #expect(configuration.members.map(\.node).contains(outsider))
        try await admin.deleteCell("other-1")
        _ = try await admin.createCell("_evil", nodes: [1, 2, 3])
        // Not even an admin's raw writes leave the colony's own cells holding what its own
        // operations would not write: a record the control loop cannot read, data in another
        // reserved cell, or a policy that locks every admin out.
        for write in [(ColonyDirectory.cell, "test/written-by-admin"), (ColonyDirectory.cell, ColonyDirectory.nodeKey(drained)), ("_evil", "k")] {
            do {
                _ = try await admin.put(write.0, write.1, "1")
                Issue.record("\(write.0) took \(write.1) = 1")
            } catch ColonyError.invalidArgument(let message) {
                #expect(message.contains(write.0 == "_evil" ? "takes no data writes" : "written only as the colony's own commands write it"), "\(message)")
            }
        }
        #expect(try await fixture.adminDirectory.nodes().first { $0.id == drained } == record, "the node's record is as it was")
        do {
            _ = try await admin.put(ColonyDirectory.cell, ColonyDirectory.policyKey, #"{"enabled":true,"roles":{},"bindings":{}}"#)
            Issue.record("a policy without an admin was written")
        } catch ColonyError.invalidArgument(let message) {
            #expect(message.contains("nobody could change the policy again"), "\(message)")
        }
        #expect(try await fixture.adminDirectory.policy().policy == policy)

        // Every refusal above was counted at the node that refused it.
        var refusals = 0
        for config in fixture.colony.configs {
            let metrics = try await HTTPProbe.get("/metrics", from: try #require(config.own.adminAddress)).body
            refusals += metrics.split(separator: "\n").filter { $0.hasPrefix("colony_authorization_refusals_total") }.compactMap {
                Double($0.split(separator: " ").last ?? "").map(Int.init)
            }.reduce(0, +)
        }
        #expect(refusals >= 12, "\(refusals) refusals counted")
        // And written as an audit line at the node that decided it, though the nodes log at
        // warning and audit lines are notices; so was each administrative operation allowed.
        let logs = try fixture.colony.configs.map { config in
            try String(contentsOfFile: "\(fixture.colony.directory)/n\(config.node).log", encoding: .utf8)
        }.joined(separator: "\n")
        let audit = logs.split(separator: "\n").filter { $0.contains(" log=audit ") }
        #expect(audit.contains { line in
            ["identity=urn:colony:client:app ", "operation=Put ", "cell=other-1 ", "outcome=refused "].allSatisfy { line.contains($0) }
        }, "\(audit.joined(separator: "\n"))")
        #expect(audit.contains { line in
            ["identity=urn:colony:client:app ", "operation=TransferLeadership ", "cell=app-1 ", "outcome=refused "].allSatisfy { line.contains($0) }
        }, "\(audit.joined(separator: "\n"))")
        #expect(audit.contains { line in
            ["identity=urn:colony:client:dev ", "operation=TransferLeadership ", "cell=app-1 ", "outcome=allowed "].allSatisfy { line.contains($0) }
        }, "\(audit.joined(separator: "\n"))")
        await app.close()
        await admin.close()
    }

    @Test("a session opened by the application cannot be advanced by another identity", .timeLimit(.minutes(3)))
    func sessionBoundAcrossProcesses() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-authz-session-\(UUID().uuidString)"
        let fixture = try await start(root: root)
        defer {
            fixture.colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        _ = try await CellCreation.create(PlacementRequest(cell: CellID("app-1"), replicas: 3), quota: nil, directory: fixture.adminDirectory)
        _ = try await fixture.app.put("app-1", "warm", "up")
        let addresses = fixture.colony.clientAddresses
        let first = try await RawColonyCall.put(
            "app-1", "k", "1", clientID: 42, sequence: 1, opensSession: true, addresses: addresses, tls: fixture.appTLS)
        #expect(!first.hasError, "\(first)")
        let poison = try await RawColonyCall.put(
            "app-1", "k", "poison", clientID: 42, sequence: .max, opensSession: true, addresses: addresses, tls: fixture.colony.clientTLS)
        #expect(!poison.hasError, "\(poison)")
        let second = try await RawColonyCall.put(
            "app-1", "k", "2", clientID: 42, sequence: 2, opensSession: false, addresses: addresses, tls: fixture.appTLS)
        #expect(!second.hasError, "the application's session goes on: \(second)")
        #expect(try await fixture.app.get("app-1", "k")?.text == "2")
        await fixture.app.close()
        await fixture.admin.close()
    }

    @Test("a revoked identity's connections are closed and its next call is refused on every node within 5 s: its idle watch ends", .timeLimit(.minutes(3)))
    func revocation() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-authz-revoke-\(UUID().uuidString)"
        let fixture = try await start(root: root)
        defer {
            fixture.colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        _ = try await CellCreation.create(PlacementRequest(cell: CellID("app-1"), replicas: 3), quota: nil, directory: fixture.adminDirectory)
        let revision = try await fixture.app.put("app-1", "k", "1")
        let watch = fixture.app.watch("app-1", after: revision)
        let watching = Task { () -> (error: (any Error)?, at: ContinuousClock.Instant) in
            do {
                for try await _ in watch {}
                return (nil, .now)
            } catch {
                return (error, .now)
            }
        }
        let revoked = ContinuousClock.now
        _ = try await fixture.adminDirectory.change(.revokeIdentity(.client(CertificateFolder.applicationClient)))
        try await waitUntilEnforced(fixture)
        let enforcedEverywhere = ContinuousClock.now - revoked
        // Every node enforces the revocation now: the identity's next call is refused wherever it goes.
        #expect(await isRefused { _ = try await fixture.app.get("app-1", "k") })
        #expect(await isRefused { _ = try await fixture.app.put("app-1", "k", "2") })
        #expect(try await fixture.admin.get("app-1", "k")?.text == "1", "nothing was written")
        // The cell has no new change, so only its connection closing ends the watch; the client
        // then watches again and is refused.
        let ended = try await within(.seconds(30), "the revoked identity's watch ends") {
            await withTaskCancellationHandler { await watching.value } onCancel: { watching.cancel() }
        }
        let watchEnded = ended.at - revoked
        #expect(ended.error.map { "\($0)" }?.contains("unauthorized") == true, "\(String(describing: ended.error))")
        print("after the revocation was written: every node enforced it in \(enforcedEverywhere), the watch ended in \(watchEnded)")
        // The issue's bound: each node reads the policy every 2 s, so it holds with room to
        // spare (1.3-2.0 s measured on a loaded 2-core machine).
        #expect(enforcedEverywhere < .seconds(5) && watchEnded < .seconds(5))
        await fixture.app.close()
        await fixture.admin.close()
    }

    @Test("a node's identity is revoked only once the directory lists the node as gone; then the other nodes refuse its certificate", .timeLimit(.minutes(3)))
    func revokedNode() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: ControlPlaneSupport.executable), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-authz-node-\(UUID().uuidString)"
        let fixture = try await start(root: root)
        defer {
            fixture.colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }
        let retired: UInt32 = 4
        var refusal: PolicyChangeError?
        do {
            _ = try await fixture.adminDirectory.change(.revokeIdentity(.node(retired)))
        } catch {
            guard case .policy(let refused) = error else { throw error }
            refusal = refused
        }
        #expect(refusal == .nodeInService(retired, state: "active"), "\(String(describing: refusal))")
        #expect(try await fixture.adminDirectory.policy().policy.revoked.isEmpty, "nothing was written")

        _ = try await OperatorCommand.setState(node: retired, .gone).run(directory: fixture.adminDirectory)
        let policy = try await fixture.adminDirectory.change(.revokeIdentity(.node(retired)))
        #expect(policy.revokedNodes == [retired])
        // The retired node reads the policy with its own certificate, so it never reads this one.
        try await waitUntilEnforced(fixture, excepted: [retired])
        let files = LocalNodes.certificates(directory: root).files(for: .node(NodeID(retired)))
        let retiredTLS = ClientTLS.files(ca: files.ca, certificate: files.certificate, key: files.key)
        for address in fixture.colony.clientAddresses.dropLast() {
            let refused = try await RawColonyCall.with(address, tls: retiredTLS) { client, _ in
                await GRPCStatusTests.status {
                    var get = Colony_V1_GetRequest()
                    get.header.cell = ColonyDirectory.cell
                    get.key = ColonyDirectory.policyKey
                    _ = try await client.get(get)
                }
            }
            #expect(refused?.code == .permissionDenied, "\(address): \(String(describing: refused))")
            #expect(refused?.message.contains("urn:colony:node:\(retired)") == true, "\(String(describing: refused))")
        }
        await fixture.app.close()
        await fixture.admin.close()
    }
}
