import ArgumentParser
import Foundation

/// Watches the node processes of a local colony for `colony bench scale`: their metrics (from
/// each admin endpoint) and their CPU time and memory (from /proc).
struct ScaleProbe {
    /// One node process being watched.
    struct Node {
        var node: UInt32
        var pid: Int32
        /// Its admin endpoint (HOST:PORT).
        var admin: String
    }

    /// How often `settle` prints how far the cells are.
    static let progressSeconds = 10.0

    /// The nodes at the start, in node order.
    let nodes: [Node]

    /// Watches every node of `colony`, which must all run and have an admin endpoint.
    init(colony: LocalNodes) throws {
        nodes = try colony.configs.map { config in
            guard let pid = colony.processes[config.node]?.processIdentifier, let admin = config.own.adminAddress else {
                throw ValidationError("node \(config.node) of the local colony does not run or has no admin address")
            }
            return Node(node: config.node, pid: pid, admin: admin)
        }
    }

    /// The admin endpoint of `node`.
    func admin(_ node: UInt32) -> String {
        nodes[Int(node) - 1].admin
    }

    /// Waits until `node` of `colony` says it serves at /health, polling every 50 ms; false if
    /// its process ended or `deadline` passed first.
    func waitUntilHealthy(_ node: UInt32, colony: LocalNodes, until deadline: ContinuousClock.Instant) async -> Bool {
        while ContinuousClock.now < deadline, colony.processes[node]?.isRunning == true {
            if AdminScrape.get("/health", from: admin(node)) == "serving\n" { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// The metric line `name` of `node` now, or nil if the node did not answer or has no such metric.
    func metrics(_ node: UInt32, _ name: String) -> Double? {
        AdminScrape.get("/metrics", from: admin(node)).flatMap { AdminScrape.metric(name, in: $0) }
    }

    /// Waits, once a second, at most `wait` seconds, until the nodes host `replicas` replicas,
    /// every one of the `cells` cells has a leader, and the replicas at rest are all of them or
    /// have not grown for `steadyPolls` polls. A build that does not report resting replicas
    /// has settled when the count of leaders has not changed for as many polls.
    func settle(cells: Int, replicas: Int, wait: Double, steadyPolls: Int) async throws -> ScaleFigures.Settling {
        let started = ContinuousClock.now
        var last = ScaleFigures.Settling(seconds: 0, settled: false, leaders: 0, resting: nil, replicas: 0, followersOfLostLeaders: nil)
        var steady = 0
        var progress = 0
        while (ContinuousClock.now - started).seconds < wait {
            let pages = nodes.map { AdminScrape.get("/metrics", from: $0.admin) ?? "" }
            let sum = { (name: String) -> Int? in
                let values = pages.compactMap { AdminScrape.metric(name, in: $0) }
                return values.count == pages.count ? Int(values.reduce(0, +)) : nil
            }
            var now = ScaleFigures.Settling(
                seconds: (ContinuousClock.now - started).seconds, settled: false, leaders: sum("colony_leaders") ?? 0,
                resting: sum("colony_resting_replicas"), replicas: sum("colony_replicas") ?? 0,
                followersOfLostLeaders: sum("colony_followers_of_lost_leaders_total"))
            let growing = now.resting.map { $0 > (last.resting ?? 0) } ?? (now.leaders != last.leaders)
            steady = growing ? 0 : steady + 1
            if now.replicas >= replicas, now.leaders >= cells, now.resting == now.replicas || steady >= steadyPolls {
                now.settled = true
                return now
            }
            last = now
            if now.seconds >= Double(progress + 1) * Self.progressSeconds {
                progress = Int(now.seconds / Self.progressSeconds)
                printError("  after \(Format.seconds(now.seconds)): \(now.counts)")
            }
            try await Task.sleep(for: .seconds(1))
        }
        return last
    }

    /// Polls `nodes`' metrics every second until the sum of their gauge `metric` passes
    /// `reached`; the seconds since `start` then, or nil if `deadline` passed first. (Each
    /// poll counts every replica of a node on its event loop: at a million, tens of
    /// milliseconds that delay its ticks.)
    func waitUntil(
        _ metric: String, of nodes: [Node], _ reached: (Int) -> Bool, since start: ContinuousClock.Instant,
        until deadline: ContinuousClock.Instant
    ) async -> Double? {
        while ContinuousClock.now < deadline {
            let values = nodes.compactMap { AdminScrape.get("/metrics", from: $0.admin).flatMap { AdminScrape.metric(metric, in: $0) } }
            if values.count == nodes.count, reached(Int(values.reduce(0, +))) { return (ContinuousClock.now - start).seconds }
            try? await Task.sleep(for: .seconds(1))
        }
        return nil
    }

    /// Every node's figures over `seconds` of idleness: CPU and peer traffic over the window,
    /// what it hosts and its memory at the end; `emptyResident` is each node's memory at its
    /// empty start.
    func idle(seconds: Double, emptyResident: [Int]) async throws -> [ScaleFigures.Node] {
        let framesSent = "colony_peer_frames_sent_total"
        let messagesSent = "colony_peer_frame_messages_sum"
        let before = nodes.map { (cpu: ProcessFigures.cpuSeconds(of: $0.pid) ?? 0, page: AdminScrape.get("/metrics", from: $0.admin) ?? "") }
        let started = ContinuousClock.now
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1_000)))
        let elapsed = (ContinuousClock.now - started).seconds
        return zip(nodes, zip(before, emptyResident)).map { node, earlier in
            let (before, empty) = earlier
            let page = AdminScrape.get("/metrics", from: node.admin) ?? ""
            let cpu = ProcessFigures.cpuSeconds(of: node.pid) ?? before.cpu
            let rate = { (name: String) in
                ((AdminScrape.total(name, in: page) ?? 0) - (AdminScrape.total(name, in: before.page) ?? 0)) / elapsed
            }
            return ScaleFigures.Node(
                node: node.node, replicas: Int(AdminScrape.metric("colony_replicas", in: page) ?? 0),
                leaders: Int(AdminScrape.metric("colony_leaders", in: page) ?? 0),
                resting: AdminScrape.metric("colony_resting_replicas", in: page).map { Int($0) },
                idleCPUPercent: 100 * (cpu - before.cpu) / elapsed, residentEmptyBytes: empty,
                residentBytes: ProcessFigures.residentBytes(of: node.pid) ?? 0, framesPerSecond: rate(framesSent),
                messagesPerSecond: rate(messagesSent))
        }
    }
}
