import ColonyCore
import ColonyStorage
import ColonyTestSupport
import Foundation
import Testing
@testable import colony

/// The real filesystem and real fsync: `colony wal exercise` writes under load and is killed
/// with SIGKILL at random points; every record it reported durable must be recovered, and
/// nothing it never wrote may appear.
@Suite("crashing a real writer")
struct ProcessCrashTests {
    /// The `colony` executable built beside the tests.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("colony")
    }

    /// Runs the exercise in `directory` until it has reported `flushes` durable points (or 20 s
    /// passed), kills it with SIGKILL, and returns the LSNs it reported durable.
    func runAndKill(_ directory: String, flushes: Int, extra: [String] = []) throws -> ClosedRange<UInt64>? {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["wal", "exercise", "--dir", directory, "--cells", "32", "--segment-bytes", "65536"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // A watchdog bounds the test's time even if the child stops answering.
        let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: watchdog)
        var start: UInt64?
        var durable: UInt64?
        var seen = 0
        var buffer = ""
        let reader = output.fileHandleForReading
        while seen < flushes {
            let data = reader.availableData
            if data.isEmpty { break }
            buffer += String(decoding: data, as: UTF8.self)
            while let newline = buffer.firstIndex(of: "\n") {
                let line = buffer[..<newline]
                buffer = String(buffer[buffer.index(after: newline)...])
                if line.hasPrefix("start "), let value = UInt64(line.dropFirst(6)) { start = value }
                if line.hasPrefix("durable "), let value = UInt64(line.dropFirst(8)) {
                    durable = value
                    seen += 1
                }
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        watchdog.cancel()
        guard let start, let durable, durable >= start else { return nil }
        return start...durable
    }

    @Test("every record reported durable survives SIGKILL at random points, over several restarts")
    func killedWriterLosesNothing() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the colony executable first")
        // Reading the child's output blocks, so the rounds run on a thread of their own.
        let rounds = try await OwnThread.run {
            var random = SplitMix64(seed: 2_026)
            return try (0..<3).map { _ in try killRound(&random) }
        }
        for (round, outcome) in rounds.enumerated() {
            #expect(outcome.problems.isEmpty, "round \(round): \(outcome.problems.prefix(3))")
            #expect(outcome.acknowledged > 0, "round \(round): no record was reported durable")
        }
    }

    /// One round: a new log, killed and recovered four times; what recovery got wrong.
    private func killRound(_ random: inout SplitMix64) throws -> (problems: [String], acknowledged: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var acknowledged: [ClosedRange<UInt64>] = []
        var problems: [String] = []
        for _ in 0..<4 {
            if let durable = try runAndKill(directory, flushes: 5 + Int(random.next() % 300)) {
                acknowledged.append(durable)
            }
            let (_, recovery) = try WriteAheadLog.open(disk: try FileDisk(directory: directory), options: .init(), seed: 1)
            if !recovery.damaged.isEmpty { problems.append("damaged: \(recovery.damaged)") }
            for range in acknowledged {
                problems += LogExercise.problems(in: recovery.cells, acknowledged: range, cells: 32)
            }
        }
        return (problems, acknowledged.count)
    }

    @Test("a sealed log survives SIGKILL the same way")
    func killedSealedWriter() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("colony-crash-\(UUID().uuidString)").path
        let keyFile = directory + ".key"
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: keyFile)
        }
        try String(repeating: "ab", count: 32).write(toFile: keyFile, atomically: true, encoding: .utf8)
        let durable = try #require(try await OwnThread.run { try runAndKill(directory, flushes: 100, extra: ["--key-file", keyFile]) })
        var options = WriteAheadLog.Options()
        options.key = try StorageKey(file: keyFile)
        let (_, recovery) = try WriteAheadLog.open(disk: try FileDisk(directory: directory), options: options, seed: 1)
        #expect(LogExercise.problems(in: recovery.cells, acknowledged: durable, cells: 32).isEmpty)
    }
}
