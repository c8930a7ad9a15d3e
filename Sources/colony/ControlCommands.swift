import ArgumentParser
import ColonyClient
import ColonyControl
import ColonyCore
import Foundation

/// `colony control pause|resume|status|throttle|run`: the control plane's switches and its loop.
struct ControlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Stop, resume, throttle and watch the control plane that moves replicas, or run its loop.",
        subcommands: [
            ControlPauseCommand.self, ControlResumeCommand.self, ControlStatusCommand.self, ControlThrottleCommand.self,
            ControlRunCommand.self,
        ])
}

/// `colony control pause`.
struct ControlPauseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop every automatic move and re-placement at once.",
        discussion: "The control loop reads the switch before every move and every membership change. This command waits (at most 10 s) until the running loop says it saw it. A change a cell is already committing finishes; nothing new starts until `colony control resume`.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await ControlSwitch.set(paused: true, options: options)
    }
}

/// `colony control resume`.
struct ControlResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let the control loop move replicas again.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await ControlSwitch.set(paused: false, options: options)
    }
}

/// `colony control throttle MOVES_PER_SECOND`.
struct ControlThrottleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "throttle", abstract: "Set how many moves the control loop may start per second, colony-wide.")
    @Argument(help: "Moves per second: above 0, at most 100 (0.1 is one move every 10 s).") var movesPerSecond: Double
    @OptionGroup var options: ClientOptions

    func validate() throws {
        guard ControlSettings(movesPerSecond: movesPerSecond).problem != nil else { return }
        throw ValidationError(
            "moves per second must be above 0 and at most \(Int(ControlSettings.movesPerSecondMax)) (0.1 is one move every 10 s); to stop every move, `colony control pause`")
    }

    func run() async throws {
        try await options.withDirectory { directory in
            var settings = try await directory.settings()
            settings.movesPerSecond = movesPerSecond
            try await directory.put(settings)
            options.show("the control loop starts at most \(movesPerSecond) moves per second", json: ["movesPerSecond": movesPerSecond])
        }
    }
}

/// `colony control status`.
struct ControlStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the switches and what the control loop last did.")
    @OptionGroup var options: ClientOptions

    func run() async throws {
        try await options.withDirectory { directory in
            let snapshot = try await directory.snapshot()
            let settings = snapshot.settings
            let status = try await directory.status()
            var lines = ["\(settings.paused ? "PAUSED" : "running"); at most \(settings.movesPerSecond) moves per second"]
            if let status {
                lines.append("control loop \(status.loop), pass \(status.pass)\(status.paused ? " (saw the pause)" : ""): \(Format.count(status.movesStarted, "move")) started, \(status.movesFinished) finished, \(Format.count(status.replicasToMove, "replica")) still to move")
                if !status.movesUnderWay.isEmpty { lines.append("moving: \(status.movesUnderWay.joined(separator: ", "))") }
                lines += status.problems.map { "problem: \($0)" }
            } else {
                lines.append("no control loop has run; start one with `colony control run`")
            }
            let leaving = snapshot.nodes.filter { $0.state != .active }.map { node in
                (node, snapshot.cells.filter { $0.placement.members.contains(NodeID(node.id)) }.count)
            }
            lines += leaving.map { node, replicas in "node \(node.id) is \(node.state.rawValue): \(Format.count(replicas, "replica")) placed on it" }
            var object: [String: Any] = [
                "paused": settings.paused, "movesPerSecond": settings.movesPerSecond,
                "nodesNotActive": leaving.map { node, replicas in ["node": node.id, "state": node.state.rawValue, "replicas": replicas] as [String: Any] },
            ]
            if let status {
                object["pass"] = status.pass
                object["loopSawPause"] = status.paused
                object["movesStarted"] = status.movesStarted
                object["movesFinished"] = status.movesFinished
                object["movesUnderWay"] = status.movesUnderWay
                object["replicasToMove"] = status.replicasToMove
                object["problems"] = status.problems
            }
            options.show(lines.joined(separator: "\n"), json: object)
        }
    }
}

/// `colony control run`.
struct ControlRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the control loop: drain draining nodes, re-place gone nodes' replicas, move cells to their targets.",
        discussion: "One membership change at a time per cell, each new member caught up and renewed before the cell's next; throttled colony-wide; stopped by `colony control pause`. It keeps nothing a restart needs: stop it and start it again at any time. Run one per colony.")
    @Option(help: "Milliseconds between passes.") var passMilliseconds = 200
    @OptionGroup var options: ClientOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        guard (10...60_000).contains(passMilliseconds) else { throw ValidationError("--pass-milliseconds must be from 10 to 60000") }
    }

    func run() async throws {
        let client = try await options.connect(policy: ClientOptions.controlPolicy)
        // What the loop does is this command's output: its lines go to standard output.
        let logger = log.logger(label: "colony.control", toStandardOutput: true)
        var loop = ControlLoop(directory: Directory(client: client)) { line in
            logger.info("\(line)")
        }
        loop.passInterval = .milliseconds(passMilliseconds)
        await loop.run()
        await client.close()
    }
}

/// The work of `pause` and `resume`.
enum ControlSwitch {
    /// How long `pause` waits for the running loop to say it saw the switch.
    static let acknowledgementTimeout: Duration = .seconds(10)

    static func set(paused: Bool, options: ClientOptions) async throws {
        try await options.withDirectory { directory in
            let before = try await directory.status()
            _ = try await OperatorCommand.setPaused(paused).run(directory: directory)
            guard paused else {
                options.show("resumed: the control loop moves replicas again", json: ["paused": false])
                return
            }
            let seenAt = try await waitForAcknowledgement(after: before, directory: directory)
            let text = seenAt.map { "paused: the control loop saw it at pass \($0); no move starts until `colony control resume`" }
                ?? "paused; no control loop said it saw it within \(acknowledgementTimeout) (none running?). Any loop that starts stays paused"
            options.show(text, json: ["paused": true, "acknowledgedAtPass": seenAt.map { $0 as Any } ?? NSNull()])
        }
    }

    /// The pass at which the running loop saw the pause: a status written after `before`
    /// (a later pass, or another loop) that says paused; nil if none came in time.
    private static func waitForAcknowledgement(after before: ControlStatus?, directory: Directory) async throws -> UInt64? {
        let deadline = ContinuousClock.now + acknowledgementTimeout
        while ContinuousClock.now < deadline {
            if let status = try await directory.status(), status.paused,
               before.map({ status.loop != $0.loop || status.pass > $0.pass + 1 }) ?? true {
                return status.pass
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}
