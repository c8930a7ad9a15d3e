import ArgumentParser
import ColonyCheck
import ColonyCore
import ColonySim
import Foundation

/// `colony demo`: a colony in this process, under a workload and faults, shown live.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run an in-process colony for a while with faults, show it live, and check everything that happened.",
        discussion: """
            The colony runs the production consensus core on a simulated network, paced to real time: \
            latencies are those of the protocol over a network of 0.1-2 ms links. At the end every operation \
            is checked for linearizability.
            """
    )

    @Option(help: "Seconds of workload.")
    var duration: UInt64 = 20

    @Option(help: "Nodes in the colony.")
    var nodes: Int = 9

    @Option(help: "Cells in the colony.")
    var cells: Int = 100

    @Option(help: "Concurrent clients.")
    var clients: Int = 32

    @Option(help: "The run's seed (the same seed replays the same run).")
    var seed: UInt64 = UInt64(Date().timeIntervalSince1970)

    func validate() throws {
        guard duration >= 2, duration <= 3_600 else { throw ValidationError("--duration must be from 2 to 3600 seconds") }
        _ = try options()
    }

    private func options() throws -> SimulationOptions {
        var options = SimulationOptions()
        options.nodes = nodes
        options.cells = cells
        options.clients = clients
        options.replicas = min(7, nodes % 2 == 1 ? nodes : nodes - 1)
        options.duration = duration * Nanoseconds.second
        do {
            try options.validate()
        } catch {
            throw ValidationError("\(error)")
        }
        return options
    }

    func run() throws {
        var simulation = try Simulation(seed: seed, options: try options())
        let view = DemoView(interactive: isatty(STDOUT_FILENO) == 1)
        view.printHeader(simulation)
        let started = DispatchTime.now().uptimeNanoseconds
        var nextFrame: UInt64 = 0
        while simulation.now < simulation.options.duration {
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            simulation.run(until: min(elapsed, simulation.options.duration))
            if elapsed >= nextFrame {
                view.render(simulation)
                nextFrame += view.frameInterval
            }
            // Pacing a live view to the wall clock, not synchronizing anything.
            Thread.sleep(forTimeInterval: 0.005)
        }
        view.render(simulation)
        // The workload is over: let the last operations finish, without pacing.
        simulation.run(until: simulation.endTime)
        let report = LinearizabilityChecker().check(simulation.history)
        view.printVerdict(report, simulation)
        if !report.isLinearizable || !simulation.statistics.violations.isEmpty {
            throw ExitCode.failure
        }
    }
}
