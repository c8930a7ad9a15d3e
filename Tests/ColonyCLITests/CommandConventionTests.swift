import ArgumentParser
import ColonyBackup
import ColonyClient
import ColonyControl
import ColonyNode
import Foundation
import Testing
@testable import colony

/// The habits of `colony` that scripts rely on, as etcdctl users expect them: exit statuses,
/// environment variables, fast failure on a node that is not there, errors as JSON.
@Suite("the colony command's conventions: exit statuses, environment, dial and command timeouts, JSON errors")
struct CommandConventionTests {
    /// An address on loopback where nothing listens.
    static func refusedAddress() throws -> String {
        "127.0.0.1:\(try FreePorts.take(1)[0])"
    }

    @Test("--version prints the release and exits 0")
    func version() async throws {
        let run = try await CommandRun.run(["--version"])
        #expect(run.status == 0)
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines) == "colony \(Colony.version)")
    }

    @Test("`colony version --json` names the release, the peer protocol and the storage formats, as the nodes' build-info labels do")
    func versionFacts() async throws {
        let run = try await CommandRun.run(["version", "--json"])
        #expect(run.status == 0)
        let facts = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: String])
        #expect(facts == Dictionary(uniqueKeysWithValues: NodeBuild.facts.map { ($0.name, $0.value) }))
        #expect(facts["version"] == Colony.version)
    }

    @Test("help of a subcommand prints its usage and exits 0, and the top help lists the exit statuses")
    func help() async throws {
        let get = try await CommandRun.run(["get", "--help"])
        #expect(get.status == 0 && get.output.contains("USAGE: colony get"), "\(get)")
        #expect(get.output.contains("$COLONY_ENDPOINTS") && get.output.contains("--command-timeout"), "\(get.output)")
        let top = try await CommandRun.run(["--help"])
        #expect(top.status == 0 && top.output.contains("condition_failed") && top.output.contains("64 usage"), "\(top)")
    }

    @Test("each exit status is distinct, and errors map to the status a script expects")
    func statuses() {
        #expect(Set(ExitStatus.allCases.map(\.rawValue)).count == ExitStatus.allCases.count)
        #expect(Set(ExitStatus.allCases.map(\.name)).count == ExitStatus.allCases.count)
        #expect(ExitStatus.of(ColonyError.cellNotFound("c")) == .notFound)
        #expect(ExitStatus.of(ColonyError.cellDeleted("c")) == .notFound)
        #expect(ExitStatus.of(ColonyError.conditionFailed(current: nil)) == .conditionFailed)
        #expect(ExitStatus.of(ColonyError.unauthorized("no grant")) == .permissionDenied)
        #expect(ExitStatus.of(ColonyError.unavailable("down")) == .unavailable)
        #expect(ExitStatus.of(ColonyError.outcomeUnknown("timed out")) == .outcomeUnknown)
        #expect(ExitStatus.of(ColonyError.quotaExceeded("full")) == .failure)
        #expect(ExitStatus.of(ControlError.directory(.unreachable("no majority"))) == .unavailable)
        #expect(ExitStatus.of(ControlError.cell("c", .unauthorized("no grant"))) == .permissionDenied)
        #expect(ExitStatus.of(DirectoryError.unknownCell("c")) == .notFound)
        #expect(ExitStatus.of(ValidationError("bad flag")) == .usage)
        #expect(ExitStatus.of(BackupVerificationError.wrongKey) == .invalidInput)
        #expect(ExitStatus.of(BackupFolderError.notEmpty("/backups/1")) == .failure)
        #expect(ExitStatus.of(ChaosError.loadDidNotStart(seconds: 60)) == .unavailable)
        #expect(ExitStatus.of(CocoaError(.fileWriteNoPermission)) == .failure)
        #expect(ExitStatus.of(Unexpected()) == .internal)
    }

    @Test("a usage error exits 64; under --json it is a JSON object on standard error")
    func usage() async throws {
        let text = try await CommandRun.run(["get", "only-a-cell"])
        #expect(text.status == ExitStatus.usage.rawValue)
        #expect(text.errors.contains("Missing expected argument"), "\(text.errors)")
        let json = try await CommandRun.run(["get", "only-a-cell", "--json"])
        #expect(json.status == ExitStatus.usage.rawValue)
        let error = try #require(json.errorObject, "not a JSON error: \(json.errors)")
        #expect(error["status"] as? String == "usage")
        #expect(error["exit"] as? Int == 64)
        #expect(json.output.isEmpty)
    }

    @Test("a refused port fails at once, in plain words, with the unavailable status, whatever the timeouts")
    func refusedPort() async throws {
        let address = try Self.refusedAddress()
        // Both timeouts are far beyond the run's limit: only a refusal seen at once ends the run in time.
        let run = try await CommandRun.run(
            ["get", "cell", "key", "--nodes", address, "--plaintext", "--dial-timeout", "60s", "--command-timeout", "60s"],
            within: .seconds(20))
        #expect(run.status == ExitStatus.unavailable.rawValue, "\(run.errors)")
        #expect(run.errors == "error: cannot reach node at \(address): connection refused\n")
    }

    @Test("under --json a failed call is a JSON object on standard error naming its status")
    func jsonError() async throws {
        let address = try Self.refusedAddress()
        let run = try await CommandRun.run(["put", "cell", "key", "value", "--nodes", address, "--plaintext", "--json"])
        #expect(run.status == ExitStatus.unavailable.rawValue)
        let error = try #require(run.errorObject, "not a JSON error: \(run.errors)")
        #expect(error["status"] as? String == "unavailable")
        #expect(error["exit"] as? Int == Int(ExitStatus.unavailable.rawValue))
        #expect((error["message"] as? String)?.contains("cannot reach node at \(address)") == true)
    }

    @Test("COLONY_ENDPOINTS names the nodes, COLONY_NODES still does when it is unset, and --nodes wins over both")
    func endpointsFromTheEnvironment() async throws {
        let fromEndpoints = try Self.refusedAddress()
        let fromNodes = try Self.refusedAddress()
        let fromFlag = try Self.refusedAddress()
        let both = ["COLONY_ENDPOINTS": fromEndpoints, "COLONY_NODES": fromNodes]

        let endpoints = try await CommandRun.run(["get", "cell", "key", "--plaintext"], environment: both)
        #expect(endpoints.errors.contains("cannot reach node at \(fromEndpoints)"), "\(endpoints.errors)")
        let nodes = try await CommandRun.run(["get", "cell", "key", "--plaintext"], environment: ["COLONY_NODES": fromNodes])
        #expect(nodes.errors.contains("cannot reach node at \(fromNodes)"), "\(nodes.errors)")
        let flag = try await CommandRun.run(["get", "cell", "key", "--plaintext", "--nodes", fromFlag], environment: both)
        #expect(flag.errors.contains("cannot reach node at \(fromFlag)") && !flag.errors.contains(fromEndpoints), "\(flag.errors)")
    }

    @Test("COLONY_CACERT, COLONY_CERT and COLONY_KEY name the client's files, read before any node is dialled")
    func certificatesFromTheEnvironment() async throws {
        let missing = NSTemporaryDirectory() + "colony-cli-\(UUID().uuidString)"
        let environment = [
            "COLONY_ENDPOINTS": try Self.refusedAddress(), "COLONY_CACERT": missing + "/ca.pem",
            "COLONY_CERT": missing + "/client.pem", "COLONY_KEY": missing + "/client.key",
        ]
        let run = try await CommandRun.run(["get", "cell", "key"], environment: environment)
        #expect(run.status == ExitStatus.usage.rawValue)
        #expect(run.errors.contains("\(missing)/ca.pem does not exist"), "\(run.errors)")
        var partial = environment
        partial["COLONY_KEY"] = nil
        let incomplete = try await CommandRun.run(["get", "cell", "key"], environment: partial)
        #expect(incomplete.status == ExitStatus.usage.rawValue)
        #expect(incomplete.errors.contains("give all three"), "\(incomplete.errors)")
        // --plaintext on the command line wins over the files in the environment.
        let plaintext = try await CommandRun.run(["get", "cell", "key", "--plaintext"], environment: environment)
        #expect(plaintext.status == ExitStatus.unavailable.rawValue, "\(plaintext.errors)")
    }

    @Test("COLONY_DEV_DIR names the dev colony's folder, and --dev-dir wins over it")
    func devFolderFromTheEnvironment() async throws {
        let fromEnvironment = NSTemporaryDirectory() + "colony-cli-env-\(UUID().uuidString)"
        let fromFlag = NSTemporaryDirectory() + "colony-cli-flag-\(UUID().uuidString)"
        let environment = ["COLONY_DEV_DIR": fromEnvironment]
        let run = try await CommandRun.run(["get", "cell", "key"], environment: environment)
        #expect(run.status == ExitStatus.usage.rawValue)
        #expect(run.errors.contains("none in \(fromEnvironment)"), "\(run.errors)")
        let flag = try await CommandRun.run(["get", "cell", "key", "--dev-dir", fromFlag], environment: environment)
        #expect(flag.errors.contains("none in \(fromFlag)"), "\(flag.errors)")
        let down = try await CommandRun.run(["dev", "down"], environment: environment)
        #expect(down.status == ExitStatus.notFound.rawValue && down.errors.contains("no dev colony in \(fromEnvironment)"), "\(down.errors)")
    }

    @Test("--command-timeout bounds an operation on a node that takes the connection and never answers")
    func commandTimeout() async throws {
        let listener = try SilentListener()
        // The client's own deadline is 10 s; a run that ends within 8 s ended on --command-timeout.
        let run = try await CommandRun.run(
            ["get", "cell", "key", "--nodes", "127.0.0.1:\(listener.port)", "--plaintext", "--dial-timeout", "200ms", "--command-timeout", "1s"],
            within: .seconds(8))
        #expect(run.status == ExitStatus.unavailable.rawValue || run.status == ExitStatus.outcomeUnknown.rawValue, "\(run.status.map(String.init) ?? "killed at the limit"): \(run.errors)")
        withExtendedLifetime(listener) {}
    }

    @Test("durations print rounded, under a second in milliseconds")
    func roundedDurations() {
        #expect(Format.rounded(.milliseconds(4_184) + .nanoseconds(586_816)) == "4.18 s")
        #expect(Format.rounded(.milliseconds(350)) == "350 ms")
        #expect(Format.rounded(.seconds(125)) == "125 s")
    }
}

/// An error no command expects.
private struct Unexpected: Error {}
