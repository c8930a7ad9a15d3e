import ColonyCore
import ColonyTestSupport
import Foundation
import Logging
import Testing
@testable import ColonyNode

/// What a node refuses before it touches its data: a configuration with a misspelt key, a
/// key file others can read, a data directory another process holds, a testing fault outside
/// a development colony.
@Suite("a node refuses to start on a misspelt configuration, a shared key file or a data directory in use", .serialized, .colonyTurn)
struct StartupRefusalTests {
    /// Writes `config` as JSON to a file beside its data directory; returns the file's path.
    static func write(_ config: NodeConfig, named name: String, root: String, edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let encoded = try JSONEncoder().encode(config)
        var object = try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any])
        edit(&object)
        let path = root + "/" + name
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A logger that drops everything.
    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// The write-ahead log's segment files in `directory`.
    static func segments(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
    }

    @Test("`colony node` with a misspelt key exits at once, naming the key it meant", .timeLimit(.minutes(1)))
    func misspeltKeyStopsTheProcess() async throws {
        let colony = try LocalColony(nodes: 3)
        let path = try Self.write(colony.configs[0], named: "typo.json", root: colony.root) { $0["keyfile"] = colony.root + "/key" }
        let ended = try await ChildProcess.run(["node", "--config", path], within: .seconds(20))
        #expect(ended.status != nil && ended.status != 0, "the node ran with a misspelt key: \(ended.output)")
        #expect(ended.output.contains(#"unknown key "keyfile" at the top level; did you mean "keyFile"?"#), "\(ended.output)")
        #expect(Self.segments(in: colony.configs[0].dataDirectory).isEmpty, "the refused node opened its log")
        await colony.shutdown()
    }

    @Test("a key file that others can read is refused at start, saying how to fix or accept it")
    func readableKeyFile() async throws {
        let colony = try LocalColony(nodes: 3)
        let keyFile = colony.root + "/storage.key"
        try String(repeating: "ab", count: 32).write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o644)
        var config = colony.configs[0]
        config.keyFile = keyFile
        do {
            let server = try await ColonyNodeServer.start(config: config, options: colony.options, logger: Self.quiet)
            await server.stop()
            Issue.record("a node started with a key file every user can read")
        } catch let error as NodeStartError {
            #expect(error == .keyFileReadableByOthers(path: keyFile, mode: 0o644))
            #expect("\(error)".contains("chmod 600 \(keyFile)") && "\(error)".contains(#""keyFileReadableByOthers": true"#))
        }
        #expect(Self.segments(in: config.dataDirectory).isEmpty, "the refused node opened its log")
        config.keyFileReadableByOthers = true
        await (try ColonyNodeServer.start(config: config, options: colony.options, logger: Self.quiet)).stop()
        config.keyFileReadableByOthers = nil
        chmod(keyFile, 0o600)
        await (try ColonyNodeServer.start(config: config, options: colony.options, logger: Self.quiet)).stop()
        await colony.shutdown()
    }

    @Test("the disk stall lock, a testing fault, is refused before the log opens unless the colony is a development one")
    func diskStallLockOnlyInDevelopment() async throws {
        let colony = try LocalColony(nodes: 3)
        var options = colony.options
        let lock = colony.root + "/n1.stall"
        options.diskStallLock = lock
        await #expect(throws: NodeStartError.testFaultsRefused(colony: "test")) {
            try await ColonyNodeServer.start(config: colony.configs[0], options: options, logger: Self.quiet)
        }
        #expect(Self.segments(in: colony.configs[0].dataDirectory).isEmpty, "the refused node opened its log")
        #expect(!FileManager.default.fileExists(atPath: lock), "the refused node made its stall lock")
        var development = colony.configs[0]
        development.colony = NodeConfig.developmentColony
        await (try ColonyNodeServer.start(config: development, options: options, logger: Self.quiet)).stop()
        #expect(FileManager.default.fileExists(atPath: lock))
        await colony.shutdown()
    }

    @Test("a second node on a data directory is refused before it reads it, naming the process that holds it", .timeLimit(.minutes(1)))
    func dataDirectoryInUse() async throws {
        let colony = try LocalColony(nodes: 3)
        try await colony.start(1)
        let directory = colony.configs[0].dataDirectory
        // The running node keeps its first answer about the authorization policy here whenever
        // that comes (PolicyRefresher), so that file is not the refused process's doing.
        let files = { try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0 != PolicyFile.name }.sorted() }
        let filesBefore = try files()
        let holder = ProcessInfo.processInfo.processIdentifier

        // In this process: the same node started twice.
        await #expect(throws: NodeStartError.dataDirectoryInUse(directory: directory, holder: holder)) {
            try await ColonyNodeServer.start(config: colony.configs[0], options: colony.options, logger: Self.quiet)
        }
        // Another process: `colony node` on the same configuration.
        let path = try Self.write(colony.configs[0], named: "n1.json", root: colony.root)
        let ended = try await ChildProcess.run(["node", "--config", path, "--log-level", "info"], within: .seconds(30))
        #expect(ended.status != nil && ended.status != 0, "a second node ran on the data directory: \(ended.output)")
        #expect(ended.output.contains("the data directory \(directory) is in use by process \(holder)"), "\(ended.output)")
        #expect(!ended.output.contains("recovery:"), "the refused node recovered the log of the running one: \(ended.output)")
        #expect(try files() == filesBefore)

        // Once the holder stops, the directory is free again.
        await colony.stop(1)
        try await colony.start(1)
        await colony.shutdown()
    }
}
