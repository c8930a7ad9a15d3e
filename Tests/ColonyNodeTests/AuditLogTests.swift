import ColonyAuth
import Logging
import Testing
@_spi(Testing) @testable import ColonyNode

@Suite("a node's audit lines")
struct AuditLogTests {
    /// An authorizer enforcing a policy on which `dev` is an admin and `app` holds a role
    /// with no grant, writing through `recorder` at warning.
    static func authorizer(_ recorder: LogRecorder) throws -> (Authorizer, Logger) {
        var policy = try PolicyChange.bind(.client("dev"), role: AuthPolicy.adminRole).applied(to: AuthPolicy())
        policy = try PolicyChange.addRole("apps").applied(to: policy)
        policy = try PolicyChange.bind(.client("app"), role: "apps").applied(to: policy)
        policy = try PolicyChange.enable(by: .client("dev")).applied(to: policy)
        let logger = recorder.logger(level: .warning)
        return (Authorizer(initial: .read(CachedPolicy(policy: policy, version: 1)), metrics: NodeMetrics(), logger: logger), logger)
    }

    @Test("audit lines are written with the node's log turned down to warning, and the node's other notices are not")
    func auditIgnoresTheNodesLevel() throws {
        let recorder = LogRecorder()
        let (authorizer, logger) = try Self.authorizer(recorder)

        #expect(authorizer.refusal(.client("app"), .write(cell: "other-1"), rpc: "Put", request: "r-1") != nil)
        #expect(authorizer.refusal(.client("dev"), .deleteCell("other-1"), rpc: "DeleteCell", request: "r-2") == nil)
        #expect(authorizer.refusal(.client("dev"), .write(cell: "other-1"), rpc: "Put", request: "r-3") == nil)
        logger.notice("a notice of the node's own")

        let lines = recorder.recorded
        #expect(lines.count == 2, "one refusal and one administrative operation, nothing else: \(lines)")
        #expect(lines.contains {
            $0.hasPrefix("notice audit") && $0.contains("log=audit") && $0.contains("identity=urn:colony:client:app")
                && $0.contains("operation=Put") && $0.contains("cell=other-1") && $0.contains("outcome=refused") && $0.contains("request=r-1")
        }, "\(lines)")
        #expect(lines.contains {
            $0.contains("log=audit") && $0.contains("identity=urn:colony:client:dev") && $0.contains("operation=DeleteCell")
                && $0.contains("outcome=allowed") && $0.contains("reason=role admin")
        }, "\(lines)")
    }

    @Test("an administrative write allowed and then refused as an invalid record leaves a second line saying so, under the same request id")
    func allowedThenInvalid() throws {
        let recorder = LogRecorder()
        let (authorizer, _) = try Self.authorizer(recorder)
        let write = AuthOperation.write(cell: "_directory", keys: .key("node/9"))
        #expect(authorizer.refusal(.client("dev"), write, rpc: "Put", request: "r-1", keys: ["node/9"]) == nil)
        authorizer.invalid(.client("dev"), write, rpc: "Put", request: "r-1", keys: ["node/9"], problem: "not a node record")

        let lines = recorder.recorded
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("outcome=allowed") == true && lines.first?.contains("request=r-1") == true, "\(lines)")
        #expect(lines.last.map {
            $0.contains("log=audit") && $0.contains("outcome=invalid") && $0.contains("request=r-1") && $0.contains("reason=not a node record")
                && $0.contains("keys=node/9") && $0.contains("cell=_directory")
        } == true, "\(lines)")
    }

    @Test("a batch of creations writes one audit line for the cells allowed, naming how many and the first few, and one for each refusal")
    func batchOfCreations() throws {
        let recorder = LogRecorder()
        let (authorizer, _) = try Self.authorizer(recorder)

        let cells = (0..<1_000).map { AuthOperation.createCell("cell-\($0)") }
        #expect(authorizer.refusals(.client("dev"), cells, rpc: "CreateCells", request: "r-1").allSatisfy { $0 == nil })
        let refused = authorizer.refusals(.client("app"), [.createCell("a"), .createCell("b")], rpc: "CreateCells", request: "r-2")
        #expect(refused.allSatisfy { $0 != nil })

        let lines = recorder.recorded
        #expect(lines.count == 3, "one line for 1,000 cells allowed, one for each of 2 refused: \(lines)")
        #expect(lines.contains {
            $0.contains("identity=urn:colony:client:dev") && $0.contains("operation=CreateCells") && $0.contains("operations=1000")
                && $0.contains("cell=cell-0,cell-1,") && $0.contains(",…") && $0.contains("outcome=allowed") && $0.contains("request=r-1")
        }, "\(lines)")
        #expect(lines.filter { $0.contains("identity=urn:colony:client:app") && $0.contains("outcome=refused") }.count == 2, "\(lines)")
        #expect(lines.contains { $0.contains("operations=1000") && $0.contains("reason=role admin ") }, "one allowance named once: \(lines)")
    }

    @Test("the audit line of a batch names each distinct allowance that allowed its operations, in the order met")
    func batchReasonNamesEachAllowance() throws {
        let teams = Grant(.readWrite, on: try #require(CellPattern("team-*")))
        let reports = Grant(.read, on: try #require(CellPattern("reports")))
        let reason = Authorizer.reason(allowing: [.grant(role: "teams", teams), .admin, .grant(role: "readers", reports)])
        #expect(reason == "role teams (\(teams)); role admin; role readers (\(reports))")
        #expect(Authorizer.reason(allowing: [.admin]) == "role admin")
    }

    @Test("the admin endpoint refuses a revoked identity, counted and audited, and answers every other; a node that read no policy yet refuses nobody there")
    func adminEndpoint() throws {
        let recorder = LogRecorder()
        let (authorizer, _) = try Self.authorizer(recorder)
        #expect(authorizer.adminRefusal(.client("app"), request: "GET /metrics") == nil)
        var revoking = try #require(authorizer.current.cached).policy
        revoking = try PolicyChange.revokeIdentity(.client("app")).applied(to: revoking)
        _ = authorizer.adopt(.record(revoking, version: 2))
        let refused = try #require(authorizer.adminRefusal(.client("app"), request: "GET /metrics"))
        #expect(refused.contains("urn:colony:client:app") && refused.contains("colony auth user reinstate urn:colony:client:app"), "\(refused)")
        #expect(authorizer.adminRefusal(.client("dev"), request: "GET /metrics") == nil)
        #expect(recorder.recorded.contains {
            $0.contains("log=audit") && $0.contains("identity=urn:colony:client:app") && $0.contains("operation=admin")
                && $0.contains("outcome=refused") && $0.contains("request=GET /metrics")
        }, "\(recorder.recorded)")
        let unread = Authorizer(initial: .unread, metrics: NodeMetrics(), logger: recorder.logger(level: .warning))
        #expect(unread.adminRefusal(.client("app"), request: "GET /health") == nil, "monitoring reads a node that is starting")
    }

    @Test("the audit logger lowers a level above notice to notice and keeps a level below it")
    func auditLevel() {
        let logger = LogRecorder().logger(level: .debug)
        #expect(Authorizer.auditLogger(logger).logLevel == .debug)
        #expect(Authorizer.auditLogger(LogRecorder().logger(level: .critical)).logLevel == .notice)
    }
}
