import ArgumentParser
import Logging

/// `--log-level` and `--log-format`, on every command that runs until stopped (`node run`,
/// `control run`, `dev up`, `dev restart`): how much it logs, and whether as text for people
/// or as one JSON object a line for log collectors (see `JSONLogHandler`).
struct LogOptions: ParsableArguments {
    /// How lines are written.
    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// swift-log's text lines.
        case text
        /// One JSON object a line.
        case json
    }

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: "Log format: text, or json (one object a line: time, level, label, message, then the metadata as fields).")
    var logFormat: Format = .text

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// The level asked for.
    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    /// A logger labelled `label` at the level and in the format asked for, writing to
    /// standard error (or standard output, for commands whose output is their log).
    func logger(label: String, toStandardOutput: Bool = false) -> Logger {
        let level = level
        let format = logFormat
        var logger = Logger(label: label) { label in
            switch format {
            case .text:
                var handler = toStandardOutput ? StreamLogHandler.standardOutput(label: label) : StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .json:
                var handler = toStandardOutput ? JSONLogHandler.standardOutput(label: label) : JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        logger.logLevel = level
        return logger
    }

    /// The arguments that give a child process (a dev colony's node or control loop) these options.
    var arguments: [String] { ["--log-level", logLevel, "--log-format", logFormat.rawValue] }
}
