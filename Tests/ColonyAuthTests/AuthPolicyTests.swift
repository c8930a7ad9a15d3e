import ColonyAuth
import Foundation
import Testing

/// The policy `colony dev up` writes: `dev` is admin, `app` reads and writes the `app-` cells.
private func devPolicy(enabled: Bool = true) throws -> AuthPolicy {
    var policy = AuthPolicy()
    policy = try PolicyChange.bind(.client("dev"), role: AuthPolicy.adminRole).applied(to: policy)
    policy = try PolicyChange.addRole("apps").applied(to: policy)
    policy = try PolicyChange.grant(role: "apps", Grant(.readWrite, on: try #require(CellPattern("app-*")))).applied(to: policy)
    policy = try PolicyChange.bind(.client("app"), role: "apps").applied(to: policy)
    if enabled { policy = try PolicyChange.enable(by: .client("dev")).applied(to: policy) }
    return policy
}

private let app = Identity.client("app")
private let admin = Identity.client("dev")
private let stranger = Identity.client("stranger")

private func isAllowed(_ decision: AuthDecision) -> Bool {
    if case .allowed = decision { return true }
    return false
}

private func refusal(_ decision: AuthDecision) -> AuthRefusal? {
    if case .refused(let refusal) = decision { return refusal }
    return nil
}

@Suite("who may do what")
struct AuthPolicyTests {
    @Test("identities come from the URNs certificates carry; anything else names nobody")
    func identities() {
        #expect(Identity(urn: "urn:colony:node:3") == .node(3))
        #expect(Identity(urn: "urn:colony:client:app") == .client("app"))
        #expect(Identity(urn: "urn:colony:node:0") == nil)
        #expect(Identity(urn: "urn:colony:node:+3") == nil)
        #expect(Identity(urn: "urn:colony:client:") == nil)
        #expect(Identity(urn: "urn:colony:client:a/b") == nil)
        #expect(Identity(urn: "urn:colony:client:" + String(repeating: "a", count: 65)) == nil)
        #expect(Identity(urn: "urn:other:client:app") == nil)
        #expect(Identity.client("app").urn == "urn:colony:client:app")
    }

    @Test("cell patterns: an exact name or a prefix ending in *, never a reserved name")
    func patterns() throws {
        let prefix = try #require(CellPattern("app-*"))
        #expect(prefix.covers("app-1") && prefix.covers("app-") && !prefix.covers("other-1"))
        let exact = try #require(CellPattern("app-1"))
        #expect(exact.covers("app-1") && !exact.covers("app-10"))
        let everything = try #require(CellPattern("*"))
        #expect(everything.covers("x") && !everything.covers("_directory"), "no grant reaches a reserved cell")
        #expect(CellPattern("_directory") == nil && CellPattern("_*") == nil)
        #expect(CellPattern("a*b") == nil && CellPattern("a**") == nil && CellPattern("") == nil)
    }

    @Test("a colony without a policy, or with one not enabled, allows everything but deleting a reserved cell")
    func off() throws {
        for policy in [AuthPolicy(), try devPolicy(enabled: false)] {
            #expect(policy.decide(stranger, .write(cell: "_directory")) == .allowed(.authorizationOff))
            #expect(policy.decide(.anonymous, .changeMembership(cell: "x")) == .allowed(.authorizationOff))
            #expect(refusal(policy.decide(admin, .deleteCell("_directory")))?.reason == .reservedCellNeverDeleted)
        }
    }

    @Test("an application identity reads and writes the cells its grants cover, and nothing else")
    func application() throws {
        let policy = try devPolicy()
        let allowed = policy.decide(app, .write(cell: "app-1"))
        #expect(allowed == .allowed(.grant(role: "apps", Grant(.readWrite, on: CellPattern("app-*")!))))
        #expect(isAllowed(policy.decide(app, .read(cell: "app-1"))))
        #expect(isAllowed(policy.decide(app, .discoveryHint(cell: "app-1"))))
        #expect(refusal(policy.decide(app, .write(cell: "other-1")))?.reason == .needsGrant(.write))
        #expect(refusal(policy.decide(app, .read(cell: "other-1")))?.reason == .needsGrant(.read))
        #expect(refusal(policy.decide(app, .discoveryHint(cell: "other-1"))) != nil)
        for operation: AuthOperation in [
            .read(cell: "_directory"), .write(cell: "_directory"), .createCell("_evil"), .createCell("app-2"), .deleteCell("app-1"),
            .listCells, .changeMembership(cell: "app-1"), .transferLeadership(cell: "app-1"), .forceHeal(cell: "app-1"),
        ] {
            #expect(refusal(policy.decide(app, operation))?.reason == .needsAdmin, "\(operation)")
        }
    }

    @Test("a read grant does not allow writes; a write grant does not allow reads")
    func accessKinds() throws {
        var policy = try devPolicy()
        policy = try PolicyChange.addRole("readers").applied(to: policy)
        policy = try PolicyChange.grant(role: "readers", Grant(.read, on: CellPattern("report-1")!)).applied(to: policy)
        policy = try PolicyChange.addRole("writers").applied(to: policy)
        policy = try PolicyChange.grant(role: "writers", Grant(.write, on: CellPattern("log-*")!)).applied(to: policy)
        policy = try PolicyChange.bind(stranger, role: "readers").applied(to: policy)
        policy = try PolicyChange.bind(stranger, role: "writers").applied(to: policy)
        #expect(isAllowed(policy.decide(stranger, .read(cell: "report-1"))))
        #expect(refusal(policy.decide(stranger, .write(cell: "report-1")))?.reason == .needsGrant(.write))
        #expect(isAllowed(policy.decide(stranger, .write(cell: "log-7"))))
        #expect(refusal(policy.decide(stranger, .read(cell: "log-7")))?.reason == .needsGrant(.read))
    }

    @Test("a grant on a key prefix allows the keys under it and no other: a listing inside it, each key of a transaction under some grant; never the whole cell")
    func keyPrefixes() throws {
        var policy = try devPolicy()
        policy = try PolicyChange.addRole("tenant").applied(to: policy)
        let own = Grant(.readWrite, on: CellPattern("shared-1")!, keys: KeyPattern("tenant-7/*")!)
        let public_ = Grant(.read, on: CellPattern("shared-*")!, keys: KeyPattern("public/*")!)
        policy = try PolicyChange.grant(role: "tenant", own).applied(to: policy)
        policy = try PolicyChange.grant(role: "tenant", public_).applied(to: policy)
        policy = try PolicyChange.bind(stranger, role: "tenant").applied(to: policy)

        #expect(policy.decide(stranger, .write(cell: "shared-1", keys: .key("tenant-7/x"))) == .allowed(.grant(role: "tenant", own)))
        #expect(isAllowed(policy.decide(stranger, .read(cell: "shared-1", keys: .prefix("tenant-7/a")))))
        #expect(policy.decide(stranger, .read(cell: "shared-2", keys: .key("public/readme"))) == .allowed(.grant(role: "tenant", public_)))
        #expect(refusal(policy.decide(stranger, .write(cell: "shared-2", keys: .key("public/readme"))))?.reason == .needsGrant(.write))
        #expect(refusal(policy.decide(stranger, .write(cell: "shared-1", keys: .key("tenant-8/x"))))?.reason == .needsGrant(.write))
        #expect(refusal(policy.decide(stranger, .read(cell: "shared-1", keys: .prefix("tenant-")))) != nil, "a listing wider than the grant")
        #expect(refusal(policy.decide(stranger, .read(cell: "shared-1", keys: .every))) != nil, "a watch or CellInfo reads every key")
        #expect(refusal(policy.decide(stranger, .write(cell: "shared-2", keys: .key("tenant-7/x")))) != nil, "the key grant is on shared-1 only")
        // A transaction's keys: each under some grant allowing the access.
        #expect(isAllowed(policy.decide(stranger, .write(cell: "shared-1", keys: .keys(["tenant-7/a", "tenant-7/b"])))))
        #expect(refusal(policy.decide(stranger, .write(cell: "shared-1", keys: .keys(["tenant-7/a", "public/b"])))) != nil, "public/ is read only")
        #expect(refusal(policy.decide(stranger, .write(cell: "shared-1", keys: .keys(["tenant-7/a", "other"])))) != nil)
        // The discovery hint needs any grant on the cell.
        #expect(isAllowed(policy.decide(stranger, .discoveryHint(cell: "shared-1"))))
        // A refusal says what would allow it.
        let refused = try #require(refusal(policy.decide(stranger, .write(cell: "shared-1", keys: .key("tenant-8/x")))))
        #expect("\(refused)".contains("write key tenant-8/x of cell shared-1"), "\(refused)")
        #expect("\(refused)".contains("on a key prefix covering key tenant-8/x"), "\(refused)")
    }

    @Test("a key pattern is a prefix and a final *; a grant written before key patterns covers every key, and one with a pattern round-trips in a form earlier builds cannot read")
    func keyPatterns() throws {
        #expect(KeyPattern("public/*")?.prefix == "public/")
        #expect(KeyPattern("a*b*")?.prefix == "a*b", "only the last * ends the prefix")
        for bad in ["", "*", "public/", String(repeating: "k", count: KeyPattern.bytesMax + 1) + "*"] {
            #expect(KeyPattern(bad) == nil, "\(bad)")
        }
        let old = try JSONDecoder().decode(Grant.self, from: Data(#"{"access":"read","cells":"app-*"}"#.utf8))
        #expect(old.keys == nil)
        #expect(old.covers(.every))
        let scoped = Grant(.write, on: CellPattern("app-*")!, keys: KeyPattern("k/*")!)
        let written = try JSONEncoder().encode(scoped)
        #expect(try JSONDecoder().decode(Grant.self, from: written) == scoped)
        #expect(try JSONDecoder().decode(Grant.self, from: JSONEncoder().encode(old)) == old)
        // A build that predates key patterns reads a grant as its access and its cells: it
        // cannot read a scoped one, so it refuses the policy rather than widen the grant.
        struct GrantBeforeKeyPatterns: Decodable {
            var access: Access
            var cells: CellPattern
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GrantBeforeKeyPatterns.self, from: written) }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Grant.self, from: Data(#"{"access":"read","scope":{"cells":"app-*","keys":"*"}}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Grant.self, from: Data(#"{"access":"read","cells":"app-*","scope":{"cells":"app-*","keys":"k/*"}}"#.utf8))
        }
        #expect("\(scoped)" == "write on app-* keys k/*")
        #expect(KeyScope.key(String(repeating: "x", count: 10_000)).description.utf8.count < 100, "a refusal names a client's key cut short")
    }

    @Test("the admin role allows every control-plane and maintenance operation, but deleting a reserved cell")
    func adminRole() throws {
        let policy = try devPolicy()
        for operation: AuthOperation in [
            .write(cell: "_directory"), .read(cell: "_directory"), .createCell("_evil"), .deleteCell("app-1"), .listCells,
            .changeMembership(cell: "app-1"), .transferLeadership(cell: "_directory"), .forceHeal(cell: "x"), .write(cell: "other-1"),
        ] {
            #expect(policy.decide(admin, operation) == .allowed(.admin), "\(operation)")
        }
        #expect(refusal(policy.decide(admin, .deleteCell("_directory")))?.reason == .reservedCellNeverDeleted)
    }

    @Test("a node reads the reserved cells and nothing else; a caller without a certificate nothing at all")
    func nodesAndAnonymous() throws {
        let policy = try devPolicy()
        #expect(policy.decide(.node(3), .read(cell: "_directory")) == .allowed(.node))
        for operation: AuthOperation in [.write(cell: "_directory"), .read(cell: "app-1"), .changeMembership(cell: "x"), .listCells] {
            #expect(refusal(policy.decide(.node(3), operation))?.reason == .nodeLimited)
        }
        #expect(refusal(policy.decide(.anonymous, .read(cell: "app-1")))?.reason == .anonymous)
        #expect(policy.decide(stranger, .readPolicy) == .allowed(.client), "any client may see which roles it holds")
        #expect(refusal(policy.decide(.anonymous, .readPolicy))?.reason == .anonymous)
        #expect(refusal(policy.decide(stranger, .read(cell: "app-1")))?.reason == .needsGrant(.read), "default deny")
    }

    @Test("before a node has read any policy, nodes read what nodes read and everything else is refused as retryable, an admin's call included")
    func beforeFirstRead() {
        for operation: AuthOperation in [.read(cell: "_directory"), .discoveryHint(cell: "app-1"), .readPolicy] {
            #expect(AuthPolicy.decideBeforeFirstRead(.node(3), operation) == .allowed(.node), "\(operation)")
        }
        let refused: [(Identity, AuthOperation)] = [
            (.node(3), .write(cell: "_directory")), (.node(3), .read(cell: "app-1")), (.node(3), .listCells),
            (admin, .write(cell: "_directory")), (admin, .listCells), (app, .read(cell: "app-1")), (app, .readPolicy),
            (.anonymous, .read(cell: "app-1")), (admin, .createCell("app-2")), (admin, .transferLeadership(cell: "app-1")),
        ]
        for (identity, operation) in refused {
            let refusal = refusal(AuthPolicy.decideBeforeFirstRead(identity, operation))
            #expect(refusal?.reason == .policyUnread && refusal?.isRetryable == true, "\(identity) \(operation)")
        }
        #expect(refusal(AuthPolicy.decideBeforeFirstRead(admin, .deleteCell("_directory")))?.reason == .reservedCellNeverDeleted)
        let text = "\(refusal(AuthPolicy.decideBeforeFirstRead(app, .write(cell: "app-1")))!)"
        #expect(text.contains("this node has not yet read the colony's authorization policy") && text.contains("write cell app-1"), "\(text)")
        #expect(refusal(AuthPolicy().decide(app, .readPolicy)) == nil)
        #expect(refusal(try! devPolicy().decide(app, .write(cell: "other-1")))?.isRetryable == false, "a policy's refusal is definite")
    }

    @Test("a refusal names the identity, the operation, the cell and the grant that would allow it")
    func refusalText() throws {
        let refused = try #require(refusal(try devPolicy().decide(app, .write(cell: "other-1"))))
        let text = "\(refused)"
        #expect(text.contains("urn:colony:client:app") && text.contains("write cell other-1"))
        #expect(text.contains("colony auth role grant ROLE write other-1"))
        let admin = try #require(refusal(try devPolicy().decide(app, .changeMembership(cell: "app-1"))))
        #expect("\(admin)".contains("role admin"))
    }

    @Test("enabling needs an admin binding of the identity that enables; a policy never loses its last admin")
    func lockout() throws {
        var policy = try devPolicy(enabled: false)
        #expect(throws: PolicyChangeError.notAdmin(app)) { try PolicyChange.enable(by: app).applied(to: policy) }
        policy = try PolicyChange.enable(by: admin).applied(to: policy)
        #expect(throws: PolicyChangeError.self) { try PolicyChange.unbind(admin, role: AuthPolicy.adminRole).applied(to: policy) }
        #expect(throws: PolicyChangeError.unknownRole("nope")) { try PolicyChange.bind(app, role: "nope").applied(to: policy) }
        #expect(throws: PolicyChangeError.self) { try PolicyChange.bind(.node(2), role: AuthPolicy.adminRole).applied(to: policy) }
        #expect(throws: PolicyChangeError.roleExists("admin")) { try PolicyChange.addRole("admin").applied(to: policy) }
        let off = try PolicyChange.disable.applied(to: policy)
        #expect(off.decide(app, .changeMembership(cell: "x")) == .allowed(.authorizationOff))
        #expect(try PolicyChange.unbind(admin, role: AuthPolicy.adminRole).applied(to: off).admins.isEmpty, "with authorization off, no admin is needed")
    }

    @Test("a restored policy replaces the colony's whole, unless it is on and the identity restoring it is not an admin in it (or is revoked)")
    func replacement() throws {
        let current = try devPolicy()
        var restored = try PolicyChange.addRole("reports").applied(to: try devPolicy())
        #expect(try PolicyChange.replace(with: restored, by: admin).applied(to: current) == restored)
        #expect(throws: PolicyChangeError.replacementLocksOut(app)) { try PolicyChange.replace(with: restored, by: app).applied(to: current) }
        restored = try PolicyChange.bind(app, role: AuthPolicy.adminRole).applied(to: restored)
        restored = try PolicyChange.revokeIdentity(app).applied(to: restored)
        #expect(throws: PolicyChangeError.replacementLocksOut(app)) { try PolicyChange.replace(with: restored, by: app).applied(to: current) }
        let off = try PolicyChange.disable.applied(to: restored)
        #expect(try PolicyChange.replace(with: off, by: stranger).applied(to: current) == off, "a policy that is off locks nobody out")
    }

    @Test("a revoked identity is refused everything, even with authorization off; the last admin cannot be revoked")
    func revokedIdentities() throws {
        var policy = try PolicyChange.revokeIdentity(app).applied(to: try devPolicy())
        #expect(refusal(policy.decide(app, .read(cell: "app-1")))?.reason == .revoked)
        #expect(refusal(policy.decide(app, .readPolicy))?.reason == .revoked)
        #expect(isAllowed(policy.decide(admin, .read(cell: "app-1"))))
        #expect(refusal(try PolicyChange.disable.applied(to: policy).decide(app, .read(cell: "x")))?.reason == .revoked)
        #expect(throws: PolicyChangeError.self) { try PolicyChange.revokeIdentity(admin).applied(to: policy) }
        #expect(throws: PolicyChangeError.self) { try PolicyChange.revokeIdentity(.anonymous).applied(to: policy) }
        policy = try PolicyChange.reinstate(app).applied(to: policy)
        #expect(isAllowed(policy.decide(app, .read(cell: "app-1"))))
        #expect(throws: PolicyChangeError.notRevoked(app)) { try PolicyChange.reinstate(app).applied(to: policy) }
        let older = #"{"enabled":false,"roles":{},"bindings":{}}"#
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: Data(older.utf8)).revoked == [], "a policy written before revocation existed")
    }

    @Test("a node's identity may be revoked: it is refused everything, even reading the directory, and reinstated it reads again")
    func revokedNodes() throws {
        var policy = try PolicyChange.revokeIdentity(.node(4)).applied(to: try devPolicy())
        #expect(policy.revoked == ["urn:colony:node:4"] && policy.revokedNodes == [4])
        #expect(policy.problem == nil)
        #expect(refusal(policy.decide(.node(4), .read(cell: "_directory")))?.reason == .revoked)
        #expect(refusal(policy.decide(.node(4), .readPolicy))?.reason == .revoked)
        #expect(refusal(try PolicyChange.disable.applied(to: policy).decide(.node(4), .read(cell: "_directory")))?.reason == .revoked)
        #expect(policy.decide(.node(3), .read(cell: "_directory")) == .allowed(.node), "other nodes are not touched")
        let bytes = try JSONEncoder().encode(policy)
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: bytes) == policy, "a node's revocation survives the record")
        policy = try PolicyChange.reinstate(.node(4)).applied(to: policy)
        #expect(policy.revokedNodes.isEmpty && policy.decide(.node(4), .read(cell: "_directory")) == .allowed(.node))
        let notAnIdentity = #"{"enabled":false,"roles":{},"bindings":{},"revoked":["urn:colony:node:0"]}"#
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: Data(notAnIdentity.utf8)).problem != nil)
    }

    @Test("grants are revoked one by one; revoking one the role lacks is refused")
    func revoke() throws {
        var policy = try devPolicy()
        let grant = Grant(.readWrite, on: CellPattern("app-*")!)
        policy = try PolicyChange.revoke(role: "apps", grant).applied(to: policy)
        #expect(refusal(policy.decide(app, .write(cell: "app-1"))) != nil)
        #expect(throws: PolicyChangeError.notGranted(role: "apps", grant)) { try PolicyChange.revoke(role: "apps", grant).applied(to: policy) }
    }

    @Test("a policy round-trips through JSON; one with a problem or a malformed pattern is refused when read")
    func coding() throws {
        let policy = try devPolicy()
        let bytes = try JSONEncoder().encode(policy)
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: bytes) == policy)
        let badPattern = #"{"enabled":false,"roles":{"r":[{"access":"read","cells":"_directory"}]},"bindings":{}}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AuthPolicy.self, from: Data(badPattern.utf8)) }
        let noAdmin = #"{"enabled":true,"roles":{},"bindings":{}}"#
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: Data(noAdmin.utf8)).problem != nil)
        let node = #"{"enabled":false,"roles":{},"bindings":{"urn:colony:node:1":["admin"]}}"#
        #expect(try JSONDecoder().decode(AuthPolicy.self, from: Data(node.utf8)).problem != nil)
    }
}
