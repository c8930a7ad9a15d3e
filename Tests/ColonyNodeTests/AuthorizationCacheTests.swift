import ColonyAuth
import ColonyCore
import Foundation
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

@Suite("writes of the policy record")
struct PolicyRecordCheckTests {
    private let key = Key("auth/policy")

    @Test("a write of the policy record must be a policy every node can enforce, whoever sends it; other keys and cells are not looked at")
    func check() throws {
        var policy = try PolicyChange.bind(.client("dev"), role: AuthPolicy.adminRole).applied(to: AuthPolicy())
        policy = try PolicyChange.enable(by: .client("dev")).applied(to: policy)
        let good = Array(try JSONEncoder().encode(policy))
        let lockedOut = Array(#"{"enabled":true,"roles":{},"bindings":{}}"#.utf8)
        #expect(PolicyRecordCheck.problem(.put(key, good), cell: "_directory") == nil)
        #expect(PolicyRecordCheck.problem(.put(key, Array("{".utf8)), cell: "_directory") != nil)
        #expect(PolicyRecordCheck.problem(.put(key, lockedOut), cell: "_directory")?.contains("nobody could change") == true)
        #expect(PolicyRecordCheck.problem(.compareAndSet(key, expected: .absent, value: lockedOut), cell: "_directory") != nil)
        #expect(PolicyRecordCheck.problem(.increment(key, by: 1), cell: "_directory") != nil)
        let transaction = Transaction(success: [.put(Key("node/1"), Array("x".utf8)), .put(key, lockedOut)])
        #expect(PolicyRecordCheck.problem(.transaction(transaction), cell: "_directory") != nil)
        #expect(PolicyRecordCheck.problem(.put(Key("node/1"), Array("x".utf8)), cell: "_directory") == nil)
        #expect(PolicyRecordCheck.problem(.put(key, lockedOut), cell: "app-1") == nil)
    }
}
