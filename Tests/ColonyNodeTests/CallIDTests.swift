@testable import ColonyClient
import ColonyAPI
import ColonyControl
import ColonyTestSupport
import Foundation
import GRPCCore
import Testing
@testable import colony
@_spi(Testing) @testable import ColonyNode

/// A call with no request header is named by the id its client gave it, in the refusal the
/// client gets and in the node's audit line alike.
@Suite("calls without a request header, named by the client's id", .serialized, .colonyTurn)
struct CallIDTests {
    @Test("a refused CreateCell names the request id its caller sent (one a node would not take is replaced), and the node's audit line names the same", .timeLimit(.minutes(2)))
    func refusalAndAuditAgree() async throws {
        let recorder = LogRecorder()
        var options = ColonyNodeServer.Options()
        options.policyRefreshInterval = .milliseconds(200)
        let colony = try LocalColony(nodes: 3, options: options, logger: recorder.logger())
        try await colony.startAll()
        let admin = try ColonyClient(nodes: colony.configs.map(\.own.clientAddress), tls: colony.clientTLS)
        _ = try await admin.createCell(ColonyDirectory.cell, nodes: [1, 2, 3])
        _ = try await DevAuthorization.apply(DevAuthorization.changes(), in: Directory(client: admin))
        await admin.close()
        try await waitUntil(.seconds(60), "node 1 enforces the policy") { colony.servers[1]?.authorizer.current.cached?.policy.enabled == true }

        let files = colony.certificates.files(for: .client(CertificateFolder.applicationClient))
        let tls = ClientTLS.files(ca: files.ca, certificate: files.certificate, key: files.key)
        // The id the caller sent names the refusal; one a node would not take is replaced.
        let named = try await refusal(at: colony.configs[0].own.clientAddress, tls: tls, id: "test-7")
        #expect(named.contains("(request test-7)"), "\(named)")
        let replaced = try await refusal(at: colony.configs[0].own.clientAddress, tls: tls, id: "bad id!")
        #expect(!replaced.contains("bad id") && replaced.contains("(request call-"), "\(replaced)")
        // The client library gives its calls ids, and the node's audit line names the same.
        let app = try ColonyClient(nodes: [colony.configs[0].own.clientAddress], tls: tls)
        var refused = ""
        do {
            _ = try await app.createCell("app-9", nodes: [1, 2, 3])
            Issue.record("the application created a cell")
        } catch {
            refused = "\(error)"
        }
        await app.close()
        let id = try #require(refused.firstRange(of: /request (req-[0-9a-f]+)\)/).map { String(refused[$0].dropFirst("request ".count).dropLast()) }, "\(refused)")
        let line = await recorder.message(containing: "request=\(id)")
        let sentLine = await recorder.message(containing: "request=test-7")
        await colony.shutdown()
        #expect(line?.contains("operation=CreateCell") == true && line?.contains("outcome=refused") == true, "\(line ?? "no audit line names \(id)")")
        #expect(sentLine != nil, "no audit line names test-7")
    }

    /// The message of the refusal of a raw CreateCell of `app-9` sent with request id `id`.
    private func refusal(at address: String, tls: ClientTLS, id: String) async throws -> String {
        try await RawColonyCall.with(address, tls: tls) { client, _ in
            var request = Colony_V1_CreateCellRequest()
            request.cell = "app-9"
            request.nodes = [1, 2, 3]
            do {
                _ = try await client.createCell(request, metadata: [CallID.metadataKey: .string(id)])
                return "created"
            } catch {
                return "\(error)"
            }
        }
    }
}
