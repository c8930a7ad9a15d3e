import ColonyAuth
import ColonyClient
import ColonyControl
import ColonyCore
import Foundation
import GRPCCore
import Testing
@_spi(Testing) @testable import ColonyNode

@Suite("a node's copy of the authorization policy")
struct AuthorizationCacheTests {
    private func enabledPolicy() throws -> AuthPolicy {
        var policy = try PolicyChange.bind(.client("dev"), role: AuthPolicy.adminRole).applied(to: AuthPolicy())
        policy = try PolicyChange.enable(by: .client("dev")).applied(to: policy)
        return policy
    }

    @Test("a newer record replaces the policy, an older one never does, and an absent record turns it off")
    func adoption() throws {
        let policy = try enabledPolicy()
        let held = CachedPolicy(policy: policy, version: 7)
        #expect(held.adopting(.record(AuthPolicy(), version: 6)) == nil, "a replica behind must not roll the policy back")
        #expect(held.adopting(.record(policy, version: 7)) == nil)
        #expect(held.adopting(.record(AuthPolicy(), version: 8)) == CachedPolicy(policy: AuthPolicy(), version: 8))
        #expect(held.adopting(.absent) == CachedPolicy.empty)
        #expect(CachedPolicy.empty.adopting(.absent) == nil)
    }

    @Test("a node that read no policy takes the first answer, a colony without a directory as no policy; a node holding one keeps it then")
    func firstAnswer() throws {
        let policy = try enabledPolicy()
        #expect(EnforcedPolicy.unread.adopting(.absent) == .empty)
        #expect(EnforcedPolicy.unread.adopting(.noDirectory) == .empty)
        #expect(EnforcedPolicy.unread.adopting(.record(policy, version: 3)) == CachedPolicy(policy: policy, version: 3))
        #expect(EnforcedPolicy.read(.empty).adopting(.absent) == nil)
        #expect(EnforcedPolicy.read(CachedPolicy(policy: policy, version: 3)).adopting(.noDirectory) == nil,
                "a node that cannot find the directory keeps what it read")
        #expect(CachedPolicy(policy: policy, version: 3).adopting(.noDirectory) == nil)
    }

    @Test("until its first read a node refuses clients' calls as UNAVAILABLE, saying why, and lets nodes read the directory; then it decides by what it read")
    func refusesUntilFirstRead() throws {
        let authorizer = Authorizer(initial: .unread, metrics: NodeMetrics(), logger: LogRecorder().logger(level: .warning))
        #expect(authorizer.refusal(.node(2), .read(cell: ColonyDirectory.cell), rpc: "Get", request: "r-1") == nil)
        let refused = try #require(authorizer.refusal(.client("dev"), .write(cell: "app-1"), rpc: "Put", request: "r-2"))
        let error = Authorizer.error(refused, rpc: "Put", request: "r-2")
        #expect(error.code == .unavailable && error.retryAfterMs > 0)
        #expect(error.message.contains("this node has not yet read the colony's authorization policy"), "\(error.message)")
        do {
            try authorizer.check(.client("dev"), .listCells, rpc: "ListCells", request: "r-3")
            Issue.record("ListCells was allowed before the first read")
        } catch {
            #expect(error.code == .unavailable, "a status the client library retries")
        }
        #expect(authorizer.refusals(.client("dev"), [.createCell("a")], rpc: "CreateCells", request: "r-4").allSatisfy { $0?.isRetryable == true })

        #expect(authorizer.adopt(.noDirectory) == .empty, "a colony without a directory has authorization off")
        #expect(authorizer.refusal(.client("dev"), .write(cell: "app-1"), rpc: "Put", request: "r-5") == nil)

        let enforcing = Authorizer(initial: .unread, metrics: NodeMetrics(), logger: LogRecorder().logger(level: .warning))
        _ = enforcing.adopt(.record(try enabledPolicy(), version: 4))
        let definite = try #require(enforcing.refusal(.client("app"), .write(cell: "app-1"), rpc: "Put", request: "r-6"))
        #expect(Authorizer.error(definite, rpc: "Put", request: "r-6").code == .unauthorized)
    }

    @Test("the kept copy survives a restart whole; a damaged one is refused, not taken as no policy")
    func file() throws {
        let directory = NSTemporaryDirectory() + "colony-policy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = PolicyFile(directory: directory)
        #expect(try file.load() == nil)
        let kept = CachedPolicy(policy: try enabledPolicy(), version: 12)
        try file.save(kept)
        #expect(try file.load() == kept)
        try Data("{\"version\": 3".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: PolicyError.self) { try file.load() }
        try Data(#"{"version": 3, "policy": {"enabled": true, "roles": {}, "bindings": {}}}"#.utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: PolicyError.self, "a policy nobody could change again is refused") { try file.load() }
    }

    @Test("a session id is bound to the identity that sends it: the same for one identity on every node, another for another")
    func sessionNamespace() {
        let app = SessionNamespace.clientID(42, of: .client("app"))
        #expect(app == SessionNamespace.clientID(42, of: .client("app")))
        #expect(app != SessionNamespace.clientID(42, of: .client("other")))
        #expect(app != SessionNamespace.clientID(43, of: .client("app")))
        #expect(app != 42 && app != 0)
        #expect(SessionNamespace.clientID(42, of: .anonymous) == 42)
    }
}

@Suite("data writes to reserved cells")
struct ReservedCellWriteCheckTests {
    private let policyKey = Key("auth/policy")

    private func problem(
        _ operation: CellOperation, _ cell: String = "_directory", revoked: RevokedNodes = RevokedNodes(AuthPolicy()), gone: Set<UInt32> = []
    ) -> String? {
        ReservedCellWriteCheck.problem(operation, cell: cell, revoked: revoked, gone: gone)
    }

    @Test("a node record bringing back a node the peer book read as gone is refused, and so is deleting its record; recording it gone again, and other nodes, are not")
    func goneNodeRecord() throws {
        var node = NodeRecord(id: 7, peerAddress: "h:7107", clientAddress: "h:7207", zone: "z1", rack: "r1")
        let key = Key(ColonyDirectory.nodeKey(7))
        let refused = try #require(problem(.put(key, try DirectoryRecord.node(node).encoded()), gone: [7]))
        #expect(refused.contains("node 7 is gone") && refused.contains("new node id"), "\(refused)")
        #expect(problem(.transaction(Transaction(success: [.put(key, try DirectoryRecord.node(node).encoded())])), gone: [7]) != nil)
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded()), gone: [8]) == nil)
        node.state = .draining
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded()), gone: [7]) != nil)
        node.state = .gone
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded()), gone: [7]) == nil)
        #expect(problem(.delete(key), gone: [7]) != nil, "the gone node's record keeps its id from coming back")
        #expect(problem(.transaction(Transaction(success: [.delete(key)])), gone: [7]) != nil)
        #expect(problem(.delete(key), gone: [8]) == nil)
    }

    @Test("a node record of a revoked node is refused unless it records the node gone; a delete of it, and other nodes' records, are not")
    func revokedNodeRecord() throws {
        let revoked = RevokedNodes(try PolicyChange.revokeIdentity(.node(7)).applied(to: AuthPolicy()))
        var node = NodeRecord(id: 7, peerAddress: "h:7107", clientAddress: "h:7207", zone: "z1", rack: "r1")
        let key = Key(ColonyDirectory.nodeKey(7))
        let refused = try #require(problem(.put(key, try DirectoryRecord.node(node).encoded()), revoked: revoked))
        #expect(refused.contains("urn:colony:node:7") && refused.contains("colony auth user reinstate urn:colony:node:7"), "\(refused)")
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded())) == nil, "the same record, with the node not revoked")
        let joining = Transaction(success: [.put(key, try DirectoryRecord.node(node).encoded())])
        #expect(problem(.transaction(joining), revoked: revoked) != nil)
        #expect(problem(.compareAndSet(key, expected: .absent, value: try DirectoryRecord.node(node).encoded()), revoked: revoked) != nil)
        node.state = .draining
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded()), revoked: revoked) != nil)
        node.state = .gone
        #expect(problem(.put(key, try DirectoryRecord.node(node).encoded()), revoked: revoked) == nil, "declaring it gone stays possible")
        #expect(problem(.delete(key), revoked: revoked) == nil)
        let other = NodeRecord(id: 8, peerAddress: "h:7108", clientAddress: "h:7208", zone: "z1", rack: "r1")
        #expect(problem(.put(Key(ColonyDirectory.nodeKey(8)), try DirectoryRecord.node(other).encoded()), revoked: revoked) == nil)
    }

    @Test("a write of the policy record must be a policy every node can enforce, whoever sends it")
    func policyRecord() throws {
        var policy = try PolicyChange.bind(.client("dev"), role: AuthPolicy.adminRole).applied(to: AuthPolicy())
        policy = try PolicyChange.enable(by: .client("dev")).applied(to: policy)
        let good = try DirectoryRecord.policy(policy).encoded()
        let lockedOut = Array(#"{"enabled":true,"roles":{},"bindings":{}}"#.utf8)
        #expect(problem(.put(policyKey, good)) == nil)
        #expect(problem(.put(policyKey, Array("{".utf8))) != nil)
        #expect(problem(.put(policyKey, lockedOut))?.contains("nobody could change") == true)
        #expect(problem(.compareAndSet(policyKey, expected: .absent, value: lockedOut)) != nil)
        #expect(problem(.increment(policyKey, by: 1)) != nil)
        #expect(problem(.delete(policyKey)) != nil, "deleting the policy would turn authorization off")
    }

    @Test("every other directory record must be the record its key names, as the control plane writes it; a cell's or a node's record may be deleted")
    func directoryRecords() throws {
        let node = NodeRecord(id: 7, peerAddress: "h:7107", clientAddress: "h:7207", zone: "z1", rack: "r1")
        let nodeBytes = try DirectoryRecord.node(node).encoded()
        #expect(problem(.put(Key(ColonyDirectory.nodeKey(7)), nodeBytes)) == nil)
        #expect(problem(.put(Key(ColonyDirectory.nodeKey(8)), nodeBytes))?.contains("belongs under node/0000000007") == true)
        #expect(problem(.put(Key(ColonyDirectory.nodeKey(7)), Array("x".utf8))) != nil)
        #expect(problem(.put(Key("cell/app-1"), Array("{}".utf8))) != nil)
        #expect(problem(.put(Key("anything/else"), nodeBytes))?.contains("keeps no record under this key") == true)
        #expect(problem(.increment(Key("control/status"), by: 1)) != nil)
        #expect(problem(.delete(Key("cell/app-1"))) == nil)
        #expect(problem(.delete(Key(ColonyDirectory.nodeKey(7)))) == nil)
        #expect(problem(.delete(Key("control/settings"))) != nil)
        let transaction = Transaction(success: [.put(Key(ColonyDirectory.nodeKey(7)), nodeBytes), .put(Key("cell/x"), Array("x".utf8))])
        #expect(problem(.transaction(transaction)) != nil, "one bad step refuses the whole transaction")
        #expect(problem(.transaction(Transaction(success: [.put(Key(ColonyDirectory.nodeKey(7)), nodeBytes)]))) == nil)
        #expect(problem(.get(policyKey)) == nil)
        #expect(problem(.list(prefix: Key("cell/"), limit: 10)) == nil)
    }

    @Test("another reserved cell takes no data writes at all; reads, and cells that are not reserved, are not looked at")
    func otherCells() {
        #expect(problem(.put(Key("k"), Array("v".utf8)), "_evil") != nil)
        #expect(problem(.transaction(Transaction(success: [.delete(Key("k"))])), "_evil") != nil)
        #expect(problem(.get(Key("k")), "_evil") == nil)
        #expect(problem(.transaction(Transaction(success: [.get(Key("k"))])), "_evil") == nil)
        #expect(problem(.put(policyKey, Array("x".utf8)), "app-1") == nil)
    }
}
