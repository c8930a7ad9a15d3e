import ColonyTestSupport
import Foundation

/// spin and the C compiler that builds its verifier, found on the PATH.
enum SpinTools {
    /// The executable `name` in a folder of the PATH, if there is one.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    static let spin = find("spin")
    static let compiler = find("gcc")

    /// Why the model cannot be checked here, or nil when it can.
    static var missing: String? {
        if spin == nil { return "spin is not installed (Debian: apt-get install spin); skipping the model checks" }
        if compiler == nil { return "gcc is not installed (spin's verifier is C); skipping the model checks" }
        return nil
    }
}

/// One check of the model: spin generates the verifier for the check's macros, gcc builds it,
/// and it searches the state space, all in a fresh temporary folder removed afterwards.
struct SpinRun {
    /// What the verifier reported.
    struct Report: Sendable {
        /// pan's whole output.
        var output: String
        /// Whether pan wrote a counterexample trail.
        var wroteTrail: Bool

        /// The number after `errors:`, or nil if pan did not get as far as saying it.
        var errors: Int? {
            guard let range = output.range(of: "errors: ") else { return nil }
            return Int(output[range.upperBound...].prefix { $0.isNumber })
        }

        /// The text of the first violated assertion, if any.
        var violation: String? {
            output.split(separator: "\n").first { $0.contains("assertion violated") }.map(String.init)
        }

        /// Whether pan's depth bound cut the search short (then nothing was proved).
        var truncated: Bool { output.contains("max search depth too small") }
    }

    /// A step that did not finish: what ran and what it said.
    struct Failed: Error, CustomStringConvertible {
        var step: String
        var output: String
        var description: String { "\(step) failed: \(output)" }
    }

    var defines: [String]
    /// How long each of spin, gcc and pan may run before it is killed.
    var limitSeconds: Double

    /// Runs the check; blocks, so call it from a thread of its own.
    func run() throws -> Report {
        guard let spin = SpinTools.spin, let compiler = SpinTools.compiler else {
            throw Failed(step: "finding spin and gcc", output: SpinTools.missing ?? "")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("colony-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: ModelCheck.folder.appendingPathComponent("cell.pml"), to: folder.appendingPathComponent("cell.pml"))
        try step("spin", spin, defines + ["-a", "cell.pml"], in: folder)
        try step("gcc", compiler, ["-O2", "-DSAFETY", "-DCOLLAPSE", "-w", "-o", "pan", "pan.c"], in: folder)
        let (status, output) = try execute(folder.appendingPathComponent("pan"), ["-m10000"], in: folder)
        guard let status else { throw Failed(step: "pan (killed after \(limitSeconds) s)", output: output) }
        let trail = FileManager.default.fileExists(atPath: folder.appendingPathComponent("cell.pml.trail").path)
        guard status == 0 || trail else { throw Failed(step: "pan (exit \(status))", output: output) }
        return Report(output: output, wroteTrail: trail)
    }

    private func step(_ name: String, _ executable: URL, _ arguments: [String], in folder: URL) throws {
        let (status, output) = try execute(executable, arguments, in: folder)
        guard status == 0 else { throw Failed(step: "\(name) \(arguments.joined(separator: " "))", output: output) }
    }

    /// Runs `executable` in `folder` until it exits or `limitSeconds` pass (then it is killed
    /// and the status is nil); returns its status and everything it wrote.
    private func execute(_ executable: URL, _ arguments: [String], in folder: URL) throws -> (Int32?, String) {
        let ended = try BoundedProcess.run(executable, arguments, in: folder, within: .seconds(limitSeconds))
        return (ended.status, ended.output)
    }
}
