import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// `colony auth` against a `colony dev` colony of node processes, which `dev up` starts with
/// authorization on: the client `dev` is admin, the client `app` holds the role `apps`.
@Suite("colony auth against a dev colony of node processes", .serialized, .colonyTurn)
struct AuthCommandTests {
    @Test("a role made, granted and bound lets the application write a cell, shows in the listings and whoami, and its grant revoked refuses it again; a grant on a key prefix allows those keys only", .timeLimit(.minutes(3)))
    func roleGrantBindAndRevoke() async throws {
        let folder = NSTemporaryDirectory() + "colony-cli-auth-\(UUID().uuidString)"
        defer { DevColonyCommandTests.stop(folder) }
        let environment = ["COLONY_DEV_DIR": folder]
        func colony(_ arguments: String...) async throws -> CommandRun {
            try await CommandRun.run(arguments, environment: environment, within: .seconds(60))
        }
        /// Waits, at most 30 s, until every node enforces the policy `auth role list` shows
        /// (its version, at the node's /metrics): each node reads it every 2 s.
        func untilEnforced() async throws {
            let list = try await colony("auth", "role", "list")
            let first = list.output.split(separator: "\n").first ?? ""
            let version = try #require(first.split(separator: " ").last.flatMap { Double($0.dropLast()) }, "\(list)")
            let deadline = ContinuousClock.now + .seconds(30)
            for config in try LocalNodes.configured(in: folder).configs {
                let admin = try #require(config.own.adminAddress)
                while (AdminScrape.get("/metrics", from: admin).flatMap { AdminScrape.metric("colony_authorization_policy_version", in: $0) } ?? 0) < version {
                    try #require(ContinuousClock.now < deadline, "node \(config.node) enforces policy version \(version) within 30 s")
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }

        let up = try await colony("dev", "up", "--nodes", "3")
        try #require(up.status == 0, "dev up: \(up.output)\(up.errors)")
        let created = try await colony("cell", "create", "team-1", "--replicas", "3")
        try #require(created.status == 0, "\(created)")
        try await untilEnforced()
        let refused = try await colony("put", "team-1", "k", "v", "--as", "app")
        #expect(refused.status == ExitStatus.permissionDenied.rawValue, "\(refused)")

        let whoami = try await colony("auth", "whoami")
        #expect(whoami.output == "urn:colony:client:dev: roles admin; authorization is on\n", "\(whoami)")
        let added = try await colony("auth", "role", "add", "writers")
        #expect(added.status == 0 && added.output.hasPrefix("role writers added"), "\(added)")
        let granted = try await colony("auth", "role", "grant", "writers", "write", "team-*")
        #expect(granted.status == 0 && granted.output == "role writers holds write on team-*\n", "\(granted)")
        let bound = try await colony("auth", "user", "bind", "app", "writers")
        #expect(bound.status == 0 && bound.output == "client \"app\" (urn:colony:client:app) holds the role writers\n", "\(bound)")
        // Only an admin changes the policy.
        let intruder = try await colony("auth", "role", "add", "intruders", "--as", "app")
        #expect(intruder.status == ExitStatus.permissionDenied.rawValue, "\(intruder)")

        let roles = try await colony("auth", "role", "list")
        #expect(roles.status == 0, "\(roles)")
        let roleLines = roles.output.split(separator: "\n").map(String.init)
        #expect(roleLines.first?.hasPrefix("authorization is on (policy version ") == true, "\(roles.output)")
        #expect(roleLines.contains("apps: read-write on app-*") && roleLines.contains("writers: write on team-*"), "\(roles.output)")
        #expect(!roles.output.contains("intruders"), "\(roles.output)")
        let users = try await colony("auth", "user", "list")
        #expect(users.output == "urn:colony:client:app: apps, writers\nurn:colony:client:dev: admin\n", "\(users)")
        let appWhoami = try await colony("auth", "whoami", "--as", "app")
        #expect(appWhoami.output == "urn:colony:client:app: roles apps, writers; authorization is on\n", "\(appWhoami)")

        // The effect: the application writes the granted cell, and only writes it.
        try await untilEnforced()
        let written = try await colony("put", "team-1", "k", "from-app", "--as", "app")
        #expect(written.status == 0, "\(written)")
        #expect(try await colony("get", "team-1", "k").output == "from-app\n")
        let read = try await colony("get", "team-1", "k", "--as", "app")
        #expect(read.status == ExitStatus.permissionDenied.rawValue, "a write grant does not allow reads: \(read)")

        let revoked = try await colony("auth", "role", "revoke", "writers", "write", "team-*")
        #expect(revoked.status == 0 && revoked.output == "role writers no longer holds write on team-*\n", "\(revoked)")
        try await untilEnforced()
        let refusedAgain = try await colony("put", "team-1", "k", "after-revoke", "--as", "app")
        #expect(refusedAgain.status == ExitStatus.permissionDenied.rawValue, "\(refusedAgain)")
        #expect(try await colony("get", "team-1", "k").output == "from-app\n", "the refused write changed nothing")
        #expect(try await colony("auth", "role", "list").output.contains("writers: no grant"))

        // A grant on some keys of the cells only.
        let keyed = try await colony("auth", "role", "grant", "writers", "read-write", "team-*", "--keys", "own/*")
        #expect(keyed.status == 0 && keyed.output == "role writers holds read-write on team-* keys own/*\n", "\(keyed)")
        try await untilEnforced()
        let inside = try await colony("put", "team-1", "own/x", "mine", "--as", "app")
        #expect(inside.status == 0, "\(inside)")
        #expect(try await colony("get", "team-1", "own/x", "--as", "app").output == "mine\n")
        let listed = try await colony("list", "team-1", "own/", "--as", "app")
        #expect(listed.status == 0 && listed.output.hasPrefix("own/x = mine"), "\(listed)")
        let outside = try await colony("put", "team-1", "k", "outside", "--as", "app")
        #expect(outside.status == ExitStatus.permissionDenied.rawValue && outside.errors.contains("a key prefix covering key k"), "\(outside)")
        let wholeCell = try await colony("list", "team-1", "--as", "app")
        #expect(wholeCell.status == ExitStatus.permissionDenied.rawValue && wholeCell.errors.contains("on every key"), "\(wholeCell)")
        #expect(try await colony("get", "team-1", "k").output == "from-app\n", "the refused write changed nothing")

        let down = try await colony("dev", "down")
        #expect(down.status == 0, "\(down)")
    }
}
