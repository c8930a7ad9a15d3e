import Foundation
import Logging
import Testing
@testable import colony

/// `--log-format json`: one JSON object a line, with the record's time, level, label and
/// message and its metadata as fields, whatever the text holds.
@Suite("structured logs: one JSON object a line from every long-running command")
struct StructuredLogTests {
    /// The line's JSON object; nil if it is not one object.
    static func object(_ line: String) -> [String: Any]? {
        guard let data = line.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    @Test("a record is one line holding one JSON object: time in RFC 3339 UTC, level, label, message, metadata as fields")
    func fields() throws {
        let time = Date(timeIntervalSince1970: 1_796_578_127.25)
        let line = JSONLogHandler.line(
            time: time, level: .debug, label: "colony.node", message: "request",
            metadata: ["request": "4242/1", "trace_id": "0af7651916cd43dd8448eb211c80319c", "cell": .stringConvertible(7)])
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(Self.object(line), "not JSON: \(line)")
        #expect(object["time"] as? String == "2026-12-06T17:28:47.250000Z")
        #expect(object["level"] as? String == "debug")
        #expect(object["label"] as? String == "colony.node")
        #expect(object["message"] as? String == "request")
        #expect(object["request"] as? String == "4242/1")
        #expect(object["trace_id"] as? String == "0af7651916cd43dd8448eb211c80319c")
        #expect(object["cell"] as? String == "7")
    }

    @Test("quotes, backslashes, newlines, control characters and non-ASCII text survive the round trip")
    func escaping() throws {
        let hostile = "a \"quoted\" \\ back\nslash\r\t\u{00}\u{1B}[31m \u{7F} \u{2028} zürich 🐝"
        let line = JSONLogHandler.line(
            time: Date(), level: .error, label: "l\"abel", message: hostile,
            metadata: [hostile: .string(hostile), "nested": .dictionary(["list": .array(["x", .string(hostile)])])])
        #expect(line.dropLast().contains("\n") == false, "a record spans lines: \(line)")
        let object = try #require(Self.object(line), "not JSON: \(line)")
        #expect(object["message"] as? String == hostile)
        #expect(object["label"] as? String == "l\"abel")
        #expect(object[hostile] as? String == hostile)
        let nested = try #require(object["nested"] as? [String: Any])
        #expect((nested["list"] as? [String])?.last == hostile)
    }

    @Test("metadata named like a fixed field is kept beside it as metadata.KEY, never replacing it")
    func collidingMetadata() throws {
        let line = JSONLogHandler.line(time: Date(), level: .info, label: "l", message: "m", metadata: ["message": "other", "level": "x"])
        let object = try #require(Self.object(line))
        #expect(object["message"] as? String == "m" && object["level"] as? String == "info")
        #expect(object["metadata.message"] as? String == "other" && object["metadata.level"] as? String == "x")
    }

    @Test("the handler writes only records at or above its level, the logger's metadata under the call's")
    func handler() throws {
        let lines = Lines()
        var handler = JSONLogHandler(label: "t") { lines.add($0) }
        handler.logLevel = .notice
        var logger = Logger(label: "t") { _ in handler }
        logger.logLevel = .notice
        logger[metadataKey: "node"] = "n1"
        logger.info("dropped")
        logger.warning("kept", metadata: ["node": "n2", "cell": "c"])
        let written = lines.all
        #expect(written.count == 1)
        let object = try #require(written.first.flatMap(Self.object))
        #expect(object["message"] as? String == "kept" && object["node"] as? String == "n2" && object["cell"] as? String == "c")
    }

    @Test("`colony node --log-format json` logs its refusal to start as a JSON line; an unknown format is a usage error")
    func nodeCommand() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("json-log-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A key file every user may read: the node refuses to start, and says so in its log.
        let keyFile = root + "/storage.key"
        try String(repeating: "ab", count: 32).write(toFile: keyFile, atomically: true, encoding: .utf8)
        chmod(keyFile, 0o644)
        let ports = try FreePorts.take(6)
        let nodes = (0..<3).map { index in
            ["node": index + 1, "peerAddress": "127.0.0.1:\(ports[index])", "clientAddress": "127.0.0.1:\(ports[index + 3])"]
        }
        let config: [String: Any] = [
            "colony": "logs", "node": 1, "dataDirectory": root + "/n1", "nodes": nodes, "plaintext": true, "keyFile": keyFile,
        ]
        let path = root + "/n1.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))

        let run = try await CommandRun.run(["node", "--config", path, "--log-format", "json"])
        #expect(run.status != nil && run.status != 0, "the node started: \(run)")
        let lines = run.errors.split(separator: "\n").map(String.init)
        let objects = lines.compactMap(Self.object)
        #expect(!lines.isEmpty && objects.count == lines.count, "a line that is not JSON: \(run.errors)")
        let refusal = try #require(objects.first { ($0["message"] as? String)?.contains("cannot start") == true }, "\(run.errors)")
        #expect(refusal["level"] as? String == "critical" && refusal["label"] as? String == "colony.node")
        #expect((refusal["message"] as? String)?.contains("chmod 600 \(keyFile)") == true)

        let unknown = try await CommandRun.run(["node", "--config", path, "--log-format", "yaml"])
        #expect(unknown.status == ExitStatus.usage.rawValue, "\(unknown)")
        for command in [["control", "run"], ["dev", "up"], ["dev", "restart"]] {
            let help = try await CommandRun.run(command + ["--help"])
            #expect(help.output.contains("--log-format") && help.output.contains("--log-level"), "\(command): \(help.output)")
        }
    }
}

/// Lines a handler wrote, kept for a test to read.
private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
