import ArgumentParser
import Foundation

/// How a command's failure reaches its caller: a line on standard error, or under `--json`
/// one JSON object there, and the exit status `ExitStatus.of` gives the error.
struct CommandFailureReport {
    /// Whether the command line asked for JSON.
    let json: Bool

    /// The report for a command line (without the executable's name): JSON when `--json`
    /// comes before any `--`.
    init(arguments: [String]) {
        json = arguments.prefix { $0 != "--" }.contains("--json")
    }

    /// Ends the process after the command line could not be parsed, or asked for help or the
    /// version: as ArgumentParser does, but as JSON when asked.
    func exit(parsing error: any Error) -> Never {
        let code = Colony.exitCode(for: error)
        guard json, code != .success else { Colony.exit(withError: error) }
        write(status: .usage, message: Colony.message(for: error))
    }

    /// Ends the process after a command threw `error`. A bare `ExitCode` means the command has
    /// said why already; a request for help (`colony get --help` runs as a command) is
    /// ArgumentParser's to answer.
    func exit(running error: any Error) -> Never {
        if let exit = error as? ExitCode { Foundation.exit(exit.rawValue) }
        if Colony.exitCode(for: error) == .success { Colony.exit(withError: error) }
        let status = ExitStatus.of(error)
        write(status: status, message: Self.message(error, status: status))
    }

    /// The error's message: its description, prefixed for an error no one expected.
    static func message(_ error: any Error, status: ExitStatus) -> String {
        let text = switch error {
        case let validation as ValidationError: validation.message
        case let file as CocoaError: file.localizedDescription
        case let described as CustomStringConvertible: described.description
        default: error.localizedDescription
        }
        return status == .internal ? "internal error (please report it): \(text)" : text
    }

    /// Writes the message, as text or JSON, and exits with `status`.
    private func write(status: ExitStatus, message: String) -> Never {
        if json {
            let object: [String: Any] = ["error": ["status": status.name, "exit": Int(status.rawValue), "message": message]]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            FileHandle.standardError.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        }
        Foundation.exit(status.rawValue)
    }
}
