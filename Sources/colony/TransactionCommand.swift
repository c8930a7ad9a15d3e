import ArgumentParser
import ColonyAPI
import ColonyClient
import Foundation

/// `colony txn CELL [--file F]`: a JSON transaction from a file or standard input.
struct TransactionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "txn",
        abstract: "Run a transaction read as JSON from a file or standard input.",
        discussion: """
            The document: {"conditions": [...], "success": [...], "failure": [...]}.
            A condition is {"key": K, "exists": true|false} or {"key": K, "version": N} or {"key": K, "value": TEXT}.
            A step is {"get": K}, {"put": K, "value": TEXT}, {"delete": K} or {"increment": K, "by": N}.
            If every condition holds the success steps apply, else the failure steps; atomically either way.
            Example: echo '{"conditions":[{"key":"lock","exists":false}],"success":[{"put":"lock","value":"me"}]}' | colony txn demo
            """)
    @Argument(help: "The cell.") var cell: String
    @Option(help: "The file holding the transaction (default: standard input).") var file: String?
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let data: Data
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(.invalidInput, "cannot read the transaction file \(file)")
            }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let request: Colony_V1_TransactionRequest
        do {
            request = try TransactionDocument.parse(data)
        } catch {
            throw CommandFailure(.invalidInput, "the transaction \(file ?? "on standard input") is not valid: \(error)")
        }
        let reply = try await options.withClient(cell: cell) { try await $0.transaction(cell, request) }
        let steps = reply.succeeded ? request.success : request.failure
        let lines = zip(steps, reply.results).map(Self.line)
        let heading = reply.succeeded ? "conditions held: applied the success steps" : "conditions failed: applied the failure steps"
        options.show(
            ([heading] + lines).joined(separator: "\n"),
            json: ["succeeded": reply.succeeded, "results": zip(steps, reply.results).map(Self.object)])
    }

    static func line(_ step: Colony_V1_Step, _ result: Colony_V1_StepResult) -> String {
        switch (step.step, result.result) {
        case (.get(let key)?, .value(let get)?):
            return get.found ? "get \(key) = \(String(decoding: get.item.value, as: UTF8.self))  (version \(get.item.version))" : "get \(key): absent"
        case (.put(let put)?, .writtenVersion(let version)?):
            return "put \(put.key): version \(version)"
        case (.delete(let key)?, .deletedExisted(let existed)?):
            return "delete \(key): \(existed ? "deleted" : "was absent")"
        case (.increment(let increment)?, .incremented(let result)?):
            return "increment \(increment.key) = \(result.value)  (version \(result.version))"
        default:
            return "a step whose result does not match it: \(result)"
        }
    }

    static func object(_ step: Colony_V1_Step, _ result: Colony_V1_StepResult) -> [String: Any] {
        switch (step.step, result.result) {
        case (.get(let key)?, .value(let get)?):
            return get.found
                ? ["get": key, "found": true, "value": String(decoding: get.item.value, as: UTF8.self), "version": get.item.version]
                : ["get": key, "found": false]
        case (.put(let put)?, .writtenVersion(let version)?):
            return ["put": put.key, "version": version]
        case (.delete(let key)?, .deletedExisted(let existed)?):
            return ["delete": key, "existed": existed]
        case (.increment(let increment)?, .incremented(let result)?):
            return ["increment": increment.key, "value": result.value, "version": result.version]
        default:
            return ["mismatch": "\(result)"]
        }
    }
}
