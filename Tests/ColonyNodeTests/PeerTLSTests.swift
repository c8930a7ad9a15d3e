import ColonyCore
import ColonyTestSupport
import ColonyWire
import Foundation
import Testing
@testable import ColonyNode
@testable import colony

/// Peers prove who they are: mutual TLS against the colony's CA, and a hello that must name
/// the node the certificate was issued to.
@Suite("peers prove who they are with the colony's certificates", .serialized, .colonyTurn)
struct PeerTLSTests {
    func hello(_ node: UInt32) -> [UInt8] {
        PeerFrame.hello(colony: "test", node: NodeID(node), reads: 1...1).encoded()
    }

    func expectServing(_ colony: LocalColony, client: UInt64) async throws {
        let write = ClientRequest(
            id: RequestID(client: ClientID(client), sequence: 1), cell: CellID("orders"), operation: .put(Key("k"), [1]))
        let outcome = try await colony.run(write, startingAt: 1)
        guard case .completed(.success(.written)) = outcome else {
            Issue.record("the colony stopped serving after the refused peers: \(outcome)")
            return
        }
    }

    @Test("a peer without TLS, without a certificate, with another CA's, with a client's, or whose hello names another node than its certificate is refused, logged, and the node keeps serving")
    func strangersAreRefused() async throws {
        let recorder = LogRecorder()
        let colony = try LocalColony(nodes: 3, logger: recorder.logger())
        try await colony.startAll()
        try colony.servers[1]?.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let port = colony.configs[0].own.peerAddress
        let node2 = colony.certificates.files(for: .node(NodeID(2)))
        let client = colony.certificates.files(for: .client(CertificateFolder.developmentClient))
        let otherAuthority = CertificateFolder(directory: colony.root + "/other-ca")
        try otherAuthority.prepareDevelopment(nodes: [2])
        let foreignNode2 = otherAuthority.files(for: .node(NodeID(2)))

        let plain = try await OwnThread.run { try PeerGarbageTests.isClosedByNode(after: self.hello(2), to: port) }
        #expect(plain, "a hello in the clear was not refused")
        #expect(await recorder.message(containing: "closing a peer connection: the TLS handshake failed (WRONG_VERSION_NUMBER): it does not speak TLS") != nil)

        let cases: [(name: String, identity: TLSFiles?, bytes: [UInt8], logged: String)] = [
            ("no certificate", nil, hello(2), "(PEER_DID_NOT_RETURN_A_CERTIFICATE): it presented no certificate"),
            ("another CA's certificate for node 2", foreignNode2, hello(2), "CERTIFICATE_VERIFY_FAILED): its certificate was not issued by the colony's CA"),
            ("a client's certificate", client, hello(2), "it presented the certificate of client \"dev\", and only nodes may connect to the peer port"),
            ("node 2's certificate with a hello naming node 3", node2, hello(3), "its hello names node n3, but its certificate was issued to node n2"),
        ]
        for (name, identity, bytes, logged) in cases {
            let outcome = try await TLSProbe.send(bytes, to: port, presenting: identity, trusting: node2.ca)
            #expect(outcome == .closedByNode, "the node kept a connection open with \(name)")
            #expect(await recorder.message(containing: logged) != nil, "no log line says why \(name) was refused")
        }
        try await expectServing(colony, client: 8)
        await colony.shutdown()
    }

    @Test("a node that reaches another node than the one it dialled drops the connection, logged")
    func wrongNodeAtAddress() async throws {
        let recorder = LogRecorder()
        let colony = try LocalColony(nodes: 3, logger: recorder.logger())
        try await colony.start(3)
        // Node 1 believes node 2 listens where node 3 does (and node 3 somewhere else: no
        // configuration may give two listeners one address).
        var misdirected = colony.configs[0]
        misdirected.nodes[1].peerAddress = colony.configs[2].own.peerAddress
        misdirected.nodes[2].peerAddress = "127.0.0.1:\(try #require(FreePorts.take(1).first))"
        let node1 = try await ColonyNodeServer.start(config: misdirected, logger: recorder.logger())
        try node1.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let logged = await recorder.message(containing: "its certificate was issued to node n3, not to node n2")
        #expect(logged != nil, "node 1 used a connection to node 3 as if it reached node 2")
        await node1.stop()
        await colony.shutdown()
    }

    @Test("a peer that takes the connection but never finishes TLS is given up after the timeout, logged")
    func silentPeer() async throws {
        let recorder = LogRecorder()
        var options = ColonyNodeServer.Options()
        options.peerConnections.handshakeTimeout = .milliseconds(300)
        let colony = try LocalColony(nodes: 3, options: options, logger: recorder.logger())
        // A socket that listens and never accepts: the kernel completes every connection,
        // and nothing is ever answered.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        let port = try #require(FreePorts.take(1).first)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 16) == 0, "cannot listen on 127.0.0.1:\(port)")

        var silent = colony.configs[0]
        silent.nodes[1].peerAddress = "127.0.0.1:\(port)"
        let node1 = try await ColonyNodeServer.start(config: silent, options: options, logger: recorder.logger())
        try node1.createCell(CellID("orders"), members: [NodeID(1), NodeID(2), NodeID(3)])
        let logged = await recorder.message(containing: "node n2 did not finish the TLS handshake within")
        #expect(logged != nil, "node 1 waited on a silent peer without bound")
        await node1.stop()
        await colony.shutdown()
    }
}
