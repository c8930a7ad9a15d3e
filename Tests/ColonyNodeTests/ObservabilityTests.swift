import ColonyTestSupport
import Foundation
import Testing
@testable import colony

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The files in `deploy/observability/` checked by the real tools: promtool on the alert
/// rules and their unit tests, and a real Prometheus, with the shipped configuration,
/// scraping a colony of node processes. Skipped, with the reason in the test's comment,
/// where Prometheus is not installed (`apt-get install prometheus`; `.ci/run` installs it).
@Suite("the shipped Prometheus configuration, alert rules and dashboard, checked by Prometheus", .serialized, .colonyTurn)
struct ObservabilityTests {
    /// `deploy/observability/` of this checkout.
    static let shipped = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/observability")

    static let promtool = PrometheusTools.find("promtool")
    static let prometheus = PrometheusTools.find("prometheus")

    @Test(
        "promtool accepts the alert rules and their unit tests pass",
        .enabled(if: promtool != nil, "promtool is not installed (Debian: apt-get install prometheus); skipping the rules check"),
        .timeLimit(.minutes(1)))
    func alertRules() async throws {
        let promtool = try #require(Self.promtool)
        let checked = try await ChildProcess.run(
            ["check", "rules", Self.shipped.appendingPathComponent("alerts.yml").path], executable: promtool, within: .seconds(30))
        #expect(checked.status == 0, "\(checked.output)")
        let tested = try await ChildProcess.run(
            ["test", "rules", Self.shipped.appendingPathComponent("alerts-test.yml").path], executable: promtool, within: .seconds(30))
        #expect(tested.status == 0, "\(tested.output)")
    }

    @Test(
        "a real Prometheus with the shipped configuration scrapes 3 node processes, sees each one, and accepts every query of the dashboard",
        .enabled(
            if: promtool != nil && prometheus != nil,
            "prometheus is not installed (Debian: apt-get install prometheus); skipping the scrape of a real colony"),
        .timeLimit(.minutes(3)))
    func prometheusScrapesAColony() async throws {
        let prometheus = try #require(Self.prometheus)
        let promtool = try #require(Self.promtool)
        try #require(FileManager.default.isExecutableFile(atPath: ProcessColonyTests.executable.path), "build the colony executable first")
        let root = NSTemporaryDirectory() + "colony-prometheus-\(UUID().uuidString)"
        let colony = try await LocalNodes.start(count: 3, directory: root + "/colony", executable: ProcessColonyTests.executable.path)
        defer {
            colony.stopAll()
            try? FileManager.default.removeItem(atPath: root)
        }

        let folder = try Self.prepareConfiguration(in: root + "/prometheus", admins: colony.configs.map(\.own.adminAddress))
        let checked = try await ChildProcess.run(
            ["check", "config", folder + "/prometheus.yml"], executable: promtool, within: .seconds(30))
        #expect(checked.status == 0, "\(checked.output)")

        let port = try FreePorts.take(1)[0]
        let server = try PrometheusProcess.start(
            executable: prometheus, folder: folder, address: "127.0.0.1:\(port)")
        defer { server.stop() }
        let api = PrometheusAPI(base: "http://127.0.0.1:\(port)")
        try await api.waitUntilReady(within: .seconds(60), log: server.logPath)

        // Every node is up for Prometheus, and each serves Colony's metrics.
        let up = try await api.waitForSeries(#"up{job="colony"} == 1"#, count: 3, within: .seconds(60))
        #expect(Set(up.compactMap { $0["instance"] }) == Set(colony.configs.compactMap(\.own.adminAddress)))
        let built = try await api.waitForSeries("colony_build_info", count: 3, within: .seconds(30))
        #expect(Set(built.compactMap { $0["node"] }) == ["1", "2", "3"])

        // Every metric the dashboard and the alerts name is one a node serves (the counter of
        // authorization refusals appears with the first refusal, labelled by its RPC).
        let page = MetricSamples(try await HTTPProbe.get("/metrics", from: try #require(colony.configs[0].own.adminAddress)).body)
        let rules = try String(contentsOf: Self.shipped.appendingPathComponent("alerts.yml"), encoding: .utf8)
        let dashboardText = try String(contentsOf: Self.shipped.appendingPathComponent("grafana-dashboard.json"), encoding: .utf8)
        let named = Self.metricNames(in: rules + dashboardText).subtracting(["colony_authorization_refusals_total"])
        #expect(named.count >= 20)
        #expect(named.subtracting(page.families).isEmpty, "named but not served: \(named.subtracting(page.families).sorted())")

        // Every query of the dashboard parses and runs (Grafana's $__rate_interval as 1m).
        let dashboard = try Data(contentsOf: Self.shipped.appendingPathComponent("grafana-dashboard.json"))
        let queries = try DashboardQueries.expressions(in: dashboard)
        #expect(queries.count >= 20)
        for query in queries {
            let answer = try await api.query(query.replacingOccurrences(of: "$__rate_interval", with: "1m"))
            #expect(answer.status == "success", "the dashboard's query \(query) was refused: \(answer.error ?? "")")
        }
    }

    /// The metric families `text` names (`colony_…`), histograms' series by their family.
    static func metricNames(in text: String) -> Set<String> {
        let pattern = /colony_[a-z_]+/
        return Set(text.matches(of: pattern).map { match in
            var name = String(match.output)
            for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) {
                name.removeLast(suffix.count)
            }
            return name
        })
    }

    /// Copies the shipped configuration and rules to `folder`, with a targets file listing
    /// each admin address (labelled with its node); returns the folder.
    static func prepareConfiguration(in folder: String, admins: [String?]) throws -> String {
        let files = FileManager.default
        try files.createDirectory(atPath: folder + "/targets", withIntermediateDirectories: true)
        for name in ["prometheus.yml", "alerts.yml"] {
            try files.copyItem(atPath: shipped.appendingPathComponent(name).path, toPath: folder + "/" + name)
        }
        let targets = admins.enumerated().map { index, admin in
            ["targets": [admin ?? ""], "labels": ["node": "\(index + 1)"]] as [String: Any]
        }
        try JSONSerialization.data(withJSONObject: targets).write(to: URL(fileURLWithPath: folder + "/targets/colony.json"))
        return folder
    }
}

/// Finds the Prometheus tools on the PATH.
enum PrometheusTools {
    /// The executable `name` in a folder of the PATH, if there is one.
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// A Prometheus server started by a test, stopped by its process id.
struct PrometheusProcess {
    let process: Process
    /// Where its output goes, to show when it does not come up.
    let logPath: String

    /// Starts Prometheus on `address` with `folder`'s prometheus.yml and a database in the folder.
    static func start(executable: URL, folder: String, address: String) throws -> PrometheusProcess {
        let logPath = folder + "/prometheus.log"
        // Opening the file for writing below says it if it could not be made.
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data", "--web.listen-address=\(address)",
        ]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return PrometheusProcess(process: process, logPath: logPath)
    }

    /// SIGTERM, then SIGKILL if it is still alive after 10 s.
    func stop() {
        LocalNodes.stop(pids: [process.processIdentifier])
    }
}

/// The few calls of Prometheus' HTTP API the test makes.
struct PrometheusAPI {
    /// One answer of `/api/v1/query`.
    struct Answer {
        var status: String
        var error: String?
        /// The label sets of the result's series (instant vectors only).
        var series: [[String: String]]
    }

    let base: String

    /// Waits until `/-/ready` answers 200, or throws after `limit` with Prometheus' log.
    func waitUntilReady(within limit: Duration, log: String) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let (_, response) = try? await URLSession.shared.data(from: try url("/-/ready")),
               (response as? HTTPURLResponse)?.statusCode == 200 {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw PrometheusError("Prometheus did not become ready within \(limit); its log:\n\(output.suffix(4_000))")
    }

    /// Queries until `query` returns at least `count` series, and returns their labels; throws
    /// after `limit` with the last answer.
    func waitForSeries(_ query: String, count: Int, within limit: Duration) async throws -> [[String: String]] {
        let deadline = ContinuousClock.now + limit
        var last: Answer?
        while ContinuousClock.now < deadline {
            let answer = try await self.query(query)
            if answer.series.count >= count { return answer.series }
            last = answer
            try await Task.sleep(for: .milliseconds(500))
        }
        throw PrometheusError("\(query) returned \(last?.series.count ?? 0) series within \(limit), not \(count): \(String(describing: last))")
    }

    /// The answer to an instant query.
    func query(_ expression: String) async throws -> Answer {
        var components = try #require(URLComponents(string: base + "/api/v1/query"))
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let (data, _) = try await URLSession.shared.data(from: try #require(components.url))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let result = (document["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return Answer(
            status: document["status"] as? String ?? "", error: document["error"] as? String,
            series: result.compactMap { $0["metric"] as? [String: String] })
    }

    private func url(_ path: String) throws -> URL {
        try #require(URL(string: base + path))
    }
}

/// What the test found wrong with Prometheus.
struct PrometheusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The PromQL expressions of a Grafana dashboard's panels.
enum DashboardQueries {
    static func expressions(in dashboard: Data) throws -> [String] {
        let document = try #require(try JSONSerialization.jsonObject(with: dashboard) as? [String: Any])
        let panels = try #require(document["panels"] as? [[String: Any]])
        return panels.flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
    }
}
