import ArgumentParser
import ColonyControl
import ColonyCore
import Foundation

/// `colony cell force-recover NAME --from NODE --confirm-data-loss`.
struct CellForceRecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "force-recover",
        abstract: "Restore a cell most of whose members lost their stored state, accepting that acknowledged writes may be lost.",
        discussion: """
            A member whose stored state was found damaged does not vote until the cell's leader renews it. When most \
            members are damaged, no leader can be elected and the cell stays down; `colony cell info` and the control \
            loop say so, and name the damaged member that holds the most of the cell. This command makes that member \
            vote again without a renewal: it first promises a ballot above every ballot it has seen, then a leader is \
            elected and renews the other damaged members the normal way. Run it again for another member while most \
            are still damaged (the cell then needs more); it refuses once a majority votes.

            \(ForceRecovery.risk)

            Without --confirm-data-loss it only says what it would do and what may be lost.
            """)
    @Argument(help: "The cell's name.") var name: String
    @Option(help: "The damaged member to vote again (a node id): the one that holds the most of the cell.") var from: UInt32
    @Flag(help: "Accept that writes the cell acknowledged after that member's applied slot may be lost.") var confirmDataLoss = false
    @OptionGroup var options: ClientOptions

    func run() async throws {
        let node = NodeID(from)
        let forced = try await options.withClient { client -> UInt64? in
            let survey = try await CellSurvey.take(name, client: client)
            switch ForceRecovery.verdict(cell: name, observed: survey.observed, from: node, confirmed: confirmDataLoss) {
            case .refused(let reason):
                FileHandle.standardError.write(Data("refused: \(reason)\n".utf8))
                return nil
            case .force:
                guard let address = survey.addresses[node] else { preconditionFailure("Invalid state: forcing \(node), which has no address") }
                // The node reports the slot it forced from: its replica may have applied more since the survey.
                return try await client.forceHeal(name, at: address)
            }
        }
        guard let forced else { throw ExitCode.failure }
        options.show(
            "forced \(node) to vote again for \(name) from its state through slot \(forced); the cell elects a leader, which renews the other damaged members. Writes acknowledged after slot \(forced) may be lost. Look with: colony cell info \(name)",
            json: ["cell": name, "forced": from, "appliedThrough": forced])
    }
}
