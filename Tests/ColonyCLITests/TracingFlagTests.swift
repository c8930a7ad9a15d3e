import Foundation
import Testing
@testable import colony

/// `colony dev up --trace-endpoint`: the nodes' tracing section, checked before anything starts.
@Suite("dev up's tracing flags are checked before any node starts")
struct TracingFlagTests {
    @Test("an endpoint that is not http://HOST:PORT, or a ratio outside 0...1, is a usage error naming the flag")
    func refused() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trace-flags-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let endpoint = try await CommandRun.run(["dev", "up", "--dev-dir", folder, "--trace-endpoint", "localhost:4317"])
        #expect(endpoint.status == ExitStatus.usage.rawValue, "\(endpoint)")
        #expect(endpoint.errors.contains("--trace-endpoint is \"localhost:4317\", not an OTLP/gRPC endpoint"), "\(endpoint.errors)")
        let ratio = try await CommandRun.run(["dev", "up", "--dev-dir", folder, "--trace-endpoint", "http://127.0.0.1:4317", "--trace-sampling", "2"])
        #expect(ratio.status == ExitStatus.usage.rawValue, "\(ratio)")
        #expect(ratio.errors.contains("--trace-sampling must be from 0 to 1, not 2.0"), "\(ratio.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/n1.json"), "a node was configured despite the refusal")
    }
}
