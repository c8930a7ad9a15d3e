import ArgumentParser
import ColonyClient
import Foundation

/// `colony bench scale`: what many cells cost a colony of node processes on this machine —
/// how fast they are made, what they cost idle (CPU, memory, peer traffic), how fast cold
/// cells take writes, how long the cells of a killed node take to serve again, and how long
/// that node takes to come back.
struct ScaleBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Creation rate, idle cost, cold writes, failover and restart of many cells on local node processes.",
        discussion: """
            Starts its own nodes on free loopback ports under a temporary folder, with TLS, and \
            stops them (by pid) and removes the folder at the end; SIGINT or SIGTERM kills them and \
            leaves the folder. Each cell gets --replicas \
            consecutive nodes, from a node that moves on by one each cell. The steps: create the \
            cells (CreateCells calls of up to \(ColonyClient.createCellsMax) cells whose first \
            member is the same node, asked there, --creation-calls at a time); wait until every cell has a \
            leader and the nodes' resting replicas stop rising; measure every node for \
            --idle-seconds; write with \(writeCallers) callers over randomly chosen cells; SIGKILL the \
            node leading the most cells and read every cell it led until all answer; restart it and \
            read every cell it holds through it alone (the client's only seed: a read it cannot \
            answer is redirected to the cell's leader).
            """
    )

    /// Callers writing at once.
    static let writeCallers = 64
    /// Polls (a second apart) with no more replicas at rest after which the cells have settled.
    static let steadyPolls = 5
    /// The longest answer read from a node's status page, which lists every replica.
    static let statusBytesMax = 512 << 20
    /// The policy of the clients that time a failover and a restart: a retry budget no run
    /// spends, so what is timed is the colony and not the budget. (A client's default budget
    /// earns a tenth of a token back per success: tens of thousands of cells without a leader
    /// for a while spend it on their retries, and the client then gives up at once.)
    static var probePolicy: ColonyClient.Policy {
        var policy = ColonyClient.Policy()
        policy.retryBudget = 1_000_000_000
        return policy
    }

    @Option(help: "Node processes.") var nodes = 3
    @Option(help: "Replicas per cell: an odd number, 3 to 9, at most --nodes.") var replicas = 3
    @Option(help: "Cells.") var cells = 1_000_000
    @Option(help: "Seconds over which the idle cells are measured.") var idleSeconds: Double = 30
    @Option(help: "Seconds of writes over randomly chosen cells.") var writeSeconds: Double = 5
    @Option(help: "Creation calls (CreateCells) under way at once.") var creationCalls = 64
    @Option(help: "Reads under way at once when timing the failover and the restart, each of one cell.") var readsInFlight = 64
    @Option(help: "The longest wait, in seconds, for the cells to settle, for a killed node's cells to serve again, and after its restart.")
    var waitSeconds: Double = 600
    @Option(help: "The colony executable the nodes run (default: this one), to measure another build with this benchmark.")
    var nodeExecutable: String?
    @Flag(help: "Keep the folder (nodes' data, configurations and logs) at the end.") var keep = false

    func validate() throws {
        try Self.validate(
            nodes: nodes, replicas: replicas, cells: cells, idleSeconds: idleSeconds, writeSeconds: writeSeconds, waitSeconds: waitSeconds)
        guard (1...256).contains(creationCalls) else { throw ValidationError("--creation-calls must be from 1 to 256") }
        guard (1...4_096).contains(readsInFlight) else { throw ValidationError("--reads-in-flight must be from 1 to 4096") }
        if let nodeExecutable, !FileManager.default.isExecutableFile(atPath: nodeExecutable) {
            throw ValidationError("--node-executable \(nodeExecutable) is not an executable file")
        }
    }

    /// Checks the figures a run is given.
    static func validate(nodes: Int, replicas: Int, cells: Int, idleSeconds: Double, writeSeconds: Double, waitSeconds: Double) throws {
        guard (3...9).contains(nodes) else { throw ValidationError("--nodes must be from 3 to 9") }
        guard replicas % 2 == 1, (3...9).contains(replicas) else { throw ValidationError("--replicas must be odd, 3 to 9") }
        guard replicas <= nodes else { throw ValidationError("--replicas must be at most --nodes (\(nodes))") }
        guard (1...1_000_000).contains(cells) else { throw ValidationError("--cells must be from 1 to 1000000") }
        guard idleSeconds > 0, idleSeconds <= 3_600 else { throw ValidationError("--idle-seconds must be more than 0 and at most 3600") }
        guard writeSeconds > 0, writeSeconds <= 600 else { throw ValidationError("--write-seconds must be more than 0 and at most 600") }
        guard waitSeconds > 0, waitSeconds <= 7_200 else { throw ValidationError("--wait-seconds must be more than 0 and at most 7200") }
    }

    /// The members of cell number `index`: `replicas` consecutive node ids of `nodes`, the
    /// first moving on by one each cell, so every node holds as many replicas as the others.
    static func members(ofCell index: Int, nodes: Int, replicas: Int) -> [UInt32] {
        (0..<replicas).map { UInt32((index + $0) % nodes + 1) }.sorted()
    }

    /// The cells a node's status page says its replicas lead.
    static func ledCells(inStatus page: String) -> [String] {
        page.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), let colon = line.range(of: ": LEADER,") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 2)..<colon.lowerBound])
        }
    }

    func run() async throws {
        _ = OpenFileLimit.raiseToHard()
        let root = NSTemporaryDirectory() + "colony-bench-scale-\(UUID().uuidString)"
        defer {
            if keep { print("kept \(root)") } else { try? FileManager.default.removeItem(atPath: root) }
        }
        let executable = nodeExecutable ?? Bundle.main.executablePath ?? "colony"
        let interruption = RunInterruption.catchingSignals()
        let colony = try await LocalNodes.start(count: nodes, directory: root, executable: executable)
        interruption.running(colony)
        defer { colony.stopAll() }
        let probe = try ScaleProbe(colony: colony)
        let empty = probe.nodes.map { ProcessFigures.residentBytes(of: $0.pid) ?? 0 }
        let names = (0..<cells).map { "scale-\($0)" }
        let client = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS)

        printError("creating \(grouped(cells)) cells")
        let creation = await create(names, client: client, addresses: colony.clientAddresses, probe: probe)
        // The figures so far, as they come: a later step that fails ends the run without its table.
        printError(
            "created \(grouped(cells - creation.failed)) of \(grouped(cells)) cells in \(Format.seconds(creation.seconds)): \(grouped(Int(Double(cells - creation.failed) / max(creation.seconds, 1e-9)))) cells/s")
        printError("waiting for the cells to settle")
        let settling = try await probe.settle(cells: cells, replicas: cells * replicas, wait: waitSeconds, steadyPolls: Self.steadyPolls)
        printError(
            "\(settling.settled ? "settled" : "NOT settled") after \(Format.seconds(settling.seconds)): \(settling.counts)")
        printError("measuring the idle cells for \(Format.seconds(idleSeconds))")
        let idle = try await probe.idle(seconds: idleSeconds, emptyResident: empty)
        printError("writing over randomly chosen cells for \(Format.seconds(writeSeconds))")
        let value = [UInt8](repeating: 0x61, count: 100)
        let writes = try await ClosedLoops.measure(
            callers: Self.writeCallers, seconds: writeSeconds, names: names, client: BenchClient(colony: client), showErrors: false
        ) { client, cell, _ in
            try await client.colony.put(cell, "k", value)
        }
        var figures = ScaleFigures(
            nodeCount: nodes, replicas: replicas, cells: cells, executable: executable, idleSeconds: idleSeconds, creation: creation,
            settling: settling, nodes: idle, writes: writes, writeCallers: Self.writeCallers, readsInFlight: readsInFlight)
        if let victim = idle.max(by: { $0.leaders < $1.leaders })?.node {
            printError("killing n\(victim), which leads the most cells")
            figures.failover = try await failover(victim, colony: colony, probe: probe)
            printError("restarting n\(victim)")
            figures.restart = try await restart(victim, colony: colony, probe: probe, names: names)
        }
        await client.close()
        for line in figures.lines { print(line) }
    }

    /// Creates every cell with `CreateCells` calls, each of up to `createCellsMax` cells whose
    /// first member is the same node, asked at that node, `creationCalls` calls at a time; a
    /// cell not made is asked again up to twice (a repeated creation with the same members
    /// succeeds). Returns the rate and what it cost each process.
    private func create(
        _ names: [String], client: ColonyClient, addresses: [String], probe: ScaleProbe
    ) async -> ScaleFigures.Creation {
        let (nodes, replicas) = (nodes, replicas)
        var byFirstMember = [[Int]](repeating: [], count: nodes)
        for index in names.indices {
            byFirstMember[Int(Self.members(ofCell: index, nodes: nodes, replicas: replicas)[0]) - 1].append(index)
        }
        let batches = byFirstMember.enumerated().flatMap { node, cells in
            stride(from: 0, to: cells.count, by: ColonyClient.createCellsMax).map {
                (address: addresses[node], cells: Array(cells[$0..<min($0 + ColonyClient.createCellsMax, cells.count)]))
            }
        }
        let nodesCPU = probe.nodes.map { ProcessFigures.cpuSeconds(of: $0.pid) ?? 0 }
        let clientCPU = cpuSeconds()
        let started = ContinuousClock.now
        let failed = await Self.concurrently(batches.count, width: creationCalls) { index in
            var left = batches[index].cells
            for _ in 0..<3 where !left.isEmpty {
                let cells = left.map { ColonyClient.NewCell(name: names[$0], nodes: Self.members(ofCell: $0, nodes: nodes, replicas: replicas)) }
                guard let outcomes = try? await client.createCells(cells, at: batches[index].address) else { continue }
                left = zip(left, outcomes).filter { _, outcome in
                    if case .failure = outcome { true } else { false }
                }.map(\.0)
            }
            return left.count
        }
        let seconds = (ContinuousClock.now - started).seconds
        let nodesPercent = zip(probe.nodes, nodesCPU).map { node, before in
            (node: node.node, percent: 100 * ((ProcessFigures.cpuSeconds(of: node.pid) ?? before) - before) / seconds)
        }
        return ScaleFigures.Creation(
            path: "ColonyClient.createCells at the first member, no directory, \(creationCalls) calls in flight", cells: names.count,
            seconds: seconds, failed: failed.reduce(0, +), nodesCPUPercent: nodesPercent,
            clientCPUPercent: 100 * (cpuSeconds() - clientCPU) / seconds)
    }

    /// SIGKILLs `victim` and reads every cell it led until each answers, through a new client
    /// of every node, sampling the survivors meanwhile.
    private func failover(_ victim: UInt32, colony: LocalNodes, probe: ScaleProbe) async throws -> ScaleFigures.Failover {
        guard let page = AdminScrape.get("/status", from: probe.admin(victim), bytesMax: Self.statusBytesMax) else {
            throw ValidationError("node \(victim) did not show its status page")
        }
        let led = Self.ledCells(inStatus: page)
        let survivors = probe.nodes.filter { $0.node != victim }
        let changesBefore = survivors.map { probe.metrics($0.node, "colony_leader_changes_total") ?? 0 }.reduce(0, +)
        let samplers = survivors.map { NodeSampler(pid: $0.pid, admin: $0.admin) }
        let reader = try ColonyClient(nodes: colony.clientAddresses, tls: colony.clientTLS, policy: Self.probePolicy)
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int64(waitSeconds * 1_000))
        await colony.signal(victim, SIGKILL)
        let cells = cells
        let census = Task { await probe.waitUntil("colony_leaders", of: survivors, { $0 >= cells }, since: started, until: deadline) }
        let served = await Self.readEach(led, width: readsInFlight, client: reader, until: deadline)
        let seconds = (ContinuousClock.now - started).seconds
        let ledSeconds = await census.value
        await reader.close()
        var peaks: [(node: UInt32, percent: Double)] = []
        for (node, sampler) in zip(survivors, samplers) {
            peaks.append((node.node, await sampler.stop().cpuPercentMax))
        }
        let changesAfter = survivors.map { probe.metrics($0.node, "colony_leader_changes_total") ?? 0 }.reduce(0, +)
        return ScaleFigures.Failover(
            node: victim, cellsLed: led.count, seconds: seconds, ledSeconds: ledSeconds, failed: served.filter { !$0 }.count,
            elections: Int(changesAfter - changesBefore), survivorsPeakCPUPercent: peaks)
    }

    /// Starts `node` again and reads every cell it holds through it alone; a node that does not
    /// serve within the wait is reported as such. It serves once its /health says so: a node
    /// recovers before it listens, and opens its admin port after its client port. (Not
    /// `LocalNodes.waitUntilServing`, whose list of every cell outgrows a client's 32 MiB
    /// answer (`ColonyClient.replyBytesMax`) past some 300,000 cells, and costs the node a status of each at every try.)
    private func restart(_ node: UInt32, colony: LocalNodes, probe: ScaleProbe, names: [String]) async throws -> ScaleFigures.Restart {
        let held = names.indices.filter { Self.members(ofCell: $0, nodes: nodes, replicas: replicas).contains(node) }.map { names[$0] }
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int64(waitSeconds * 1_000))
        try colony.launch(node)
        guard await probe.waitUntilHealthy(node, colony: colony, until: deadline) else {
            let seconds = (ContinuousClock.now - started).seconds
            return ScaleFigures.Restart(node: node, answeredSeconds: nil, cells: held.count, servedSeconds: seconds, failed: held.count)
        }
        let answered = (ContinuousClock.now - started).seconds
        let address = colony.configs[Int(node) - 1].own.clientAddress
        let through = try ColonyClient(nodes: [address], tls: colony.clientTLS, policy: Self.probePolicy)
        let restarted = probe.nodes.filter { $0.node == node }
        let census = Task { await probe.waitUntil("colony_replicas_without_leader", of: restarted, { $0 == 0 }, since: started, until: deadline) }
        let served = await Self.readEach(held, width: readsInFlight, client: through, until: deadline)
        let seconds = (ContinuousClock.now - started).seconds
        let knownSeconds = await census.value
        await through.close()
        return ScaleFigures.Restart(
            node: node, answeredSeconds: answered, leadersKnownSeconds: knownSeconds, cells: held.count, servedSeconds: seconds,
            failed: served.filter { !$0 }.count)
    }

    /// A linearizable read of each of `cells`, `width` at a time, each tried again until it
    /// succeeds or `deadline` passes; whether each did.
    private static func readEach(
        _ cells: [String], width: Int, client: ColonyClient, until deadline: ContinuousClock.Instant
    ) async -> [Bool] {
        await concurrently(cells.count, width: width) { index in
            while ContinuousClock.now < deadline {
                do {
                    _ = try await client.get(cells[index], "k")
                    return true
                } catch {
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
            return false
        }
    }

    /// `body` of every index below `count`, at most `width` at a time; the results in index order.
    static func concurrently<Result: Sendable>(
        _ count: Int, width: Int, _ body: @escaping @Sendable (Int) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results: [Result?] = Array(repeating: nil, count: count)
            var next = 0
            while next < min(width, count) {
                let index = next
                group.addTask { (index, await body(index)) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < count {
                    let index = next
                    group.addTask { (index, await body(index)) }
                    next += 1
                }
            }
            return results.map { result in
                guard let result else { preconditionFailure("Invalid state: index without a result") }
                return result
            }
        }
    }
}
