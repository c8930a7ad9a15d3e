import ColonyCheck
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

@Suite("a cell most of whose members lost their stored state, on real nodes", .serialized, .colonyTurn)
struct ForceRecoveryProcessTests {
    func clientAddresses(_ colony: LocalColony) -> [String] {
        colony.configs.map(\.own.clientAddress)
    }

    /// Where `damageLog` flips a byte: the segment's header takes 72 bytes, and the first
    /// record follows it.
    static let firstRecordOffset = 72 + 30

    /// The size of `node`'s oldest log segment, in bytes (0 with none).
    func oldestSegmentBytes(of node: UInt32, in colony: LocalColony) throws -> Int {
        let directory = colony.configs[Int(node) - 1].dataDirectory
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("wal-") && $0.hasSuffix(".seg") }.sorted()
        guard let first = segments.first else { return 0 }
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + first)
        return (attributes[.size] as? Int) ?? 0
    }

    /// Flips one byte inside the first record of `node`'s oldest log segment: recovery finds
    /// a record written whole that does not verify, and marks the cells it may hold damaged.
    func damageLog(of node: UInt32, in colony: LocalColony) throws {
        let directory = colony.configs[Int(node) - 1].dataDirectory
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("wal-") && $0.hasSuffix(".seg") }.sorted()
        let path = directory + "/" + (try #require(segments.first))
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let offset = Self.firstRecordOffset
        try #require(bytes.count > offset + 1_000, "the first record is followed by others, so its damage is no torn write")
        bytes[offset] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Run twice: with the healthy member leading when the others lose their state (it
    /// stays the leader they hear), and with a damaged member leading (the healthy one is
    /// left a follower that can only stand for election, which it cannot win).
    @Test(
        "two of three members damaged: the cell is down and says how to restore it; the force refuses until confirmed, then the cell serves, renews the other, and its history stays linearizable",
        .timeLimit(.minutes(3)), arguments: [UInt32(1), 2])
    func damagedMajority(leaderBefore: UInt32) async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.startAll()
        let client = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS)
        _ = try await client.createCell("stuck", nodes: [1, 2, 3])
        var load = LoadRunner(nodes: clientAddresses(colony), tls: colony.clientTLS, cells: ["stuck"])
        load.clients = 4
        load.duration = .seconds(2)
        let log = HistoryLog()
        // On a busy machine two seconds may write little: the load goes on until the logs of
        // nodes 2 and 3 hold records past the one `damageLog` damages.
        repeat {
            _ = try await load.run(history: log)
        } while try [UInt32(2), 3].contains(where: { try oldestSegmentBytes(of: $0, in: colony) <= Self.firstRecordOffset + 1_000 })
        try await waitUntil(.seconds(30), "n\(leaderBefore) to lead and every member to apply the same slot") {
            let observed = try await CellSurvey.take("stuck", client: client).observed
            guard observed.leader == NodeID(leaderBefore) else {
                _ = try await client.transferLeadership("stuck", to: leaderBefore)
                return false
            }
            let applied = observed.replicas.values.map(\.appliedThrough)
            return applied.count == 3 && Set(applied).count == 1
        }

        // Both go down before either comes back: one back alone would be renewed by the other two.
        for node: UInt32 in [2, 3] {
            await colony.stop(node)
            try damageLog(of: node, in: colony)
        }
        for node: UInt32 in [2, 3] { try await colony.start(node) }
        var stuck: String?
        try await waitUntil(.seconds(30), "the damaged members to fetch the cell from n1") {
            let survey = try await CellSurvey.take("stuck", client: client)
            stuck = ForceRecovery.stuckMessage(cell: "stuck", observed: survey.observed)
            let replicas = survey.observed.replicas
            let fetched = [NodeID(2), NodeID(3)].allSatisfy { node in
                replicas[node].map { $0.isMember && $0.appliedThrough == replicas[NodeID(1)]?.appliedThrough } ?? false
            }
            return stuck != nil && fetched
        }
        let message = try #require(stuck)
        #expect(message.hasPrefix("2 of its 3 members (n2, n3) lost stored state"), "\(message)")
        #expect(message.hasSuffix("colony cell force-recover stuck --from 2 --confirm-data-loss"), "\(message)")
        var impatient = ColonyClient.Policy()
        impatient.deadline = .seconds(2)
        let writer = try ColonyClient(nodes: clientAddresses(colony), tls: colony.clientTLS, policy: impatient)
        // The write is not taken now, but its outcome is unknown to the client: a member may
        // hold it until the cell has a leader again, so the history records it as such.
        let process = await log.newProcess()
        await log.record(process, .invoke, .write, "stuck", "k0", .string("refused"))
        await #expect(throws: ColonyError.self, "the cell takes no write") { try await writer.put("stuck", "k0", "refused") }
        await log.record(process, .info, .write, "stuck", "k0", .string("refused"))
        await writer.close()

        let survey = try await CellSurvey.take("stuck", client: client)
        guard case .refused(let unconfirmed) = ForceRecovery.verdict(cell: "stuck", observed: survey.observed, from: NodeID(2), confirmed: false) else {
            Issue.record("the force went ahead without confirmation")
            return
        }
        #expect(unconfirmed.contains("Writes the cell acknowledged after the slot it has applied may be lost"))
        guard case .refused(let healthy) = ForceRecovery.verdict(cell: "stuck", observed: survey.observed, from: NodeID(1), confirmed: true) else {
            Issue.record("the healthy member was forced")
            return
        }
        #expect(healthy.hasPrefix("n1's replica of cell stuck is not damaged"))
        guard case .force(let forced, _) = ForceRecovery.verdict(cell: "stuck", observed: survey.observed, from: NodeID(2), confirmed: true) else {
            Issue.record("the confirmed force was refused")
            return
        }
        let address = try #require(survey.addresses[forced])
        _ = try await client.forceHeal("stuck", at: address)
        await #expect(throws: ColonyError.self, "a replica forced already is not damaged") { try await client.forceHeal("stuck", at: address) }

        _ = try await load.run(history: log)
        try await waitUntil(.seconds(30), "n3 to be renewed by the cell's new leader") {
            let observed = try await CellSurvey.take("stuck", client: client).observed
            return observed.members.allSatisfy(observed.isReadyMember)
        }
        let healed = try await CellSurvey.take("stuck", client: client)
        #expect(ForceRecovery.stuckMessage(cell: "stuck", observed: healed.observed) == nil)
        guard case .refused(let notNeeded) = ForceRecovery.verdict(cell: "stuck", observed: healed.observed, from: NodeID(3), confirmed: true) else {
            Issue.record("a cell whose members all vote was forced")
            return
        }
        #expect(notNeeded.hasPrefix("cell stuck needs no force"))

        let events = await log.events
        #expect(events.contains { $0.type == .ok && $0.function == .write && $0.time > 0 })
        let report = LinearizabilityChecker().check(events)
        #expect(report.isLinearizable, "\(report)")
        await client.close()
        await colony.shutdown()
    }
}
