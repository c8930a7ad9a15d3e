import Foundation
import Testing

/// The README's "Running a colony across hosts" shows exactly what `AcrossHostsRehearsalTests`
/// runs: its commands, its `colony.json` and `control.env` are `AcrossHostsGuide`'s for the
/// README's example hosts, and the command lines it gives for the nodes and the control loop
/// are the `ExecStart` lines of `deploy/systemd/`, which the rehearsal runs.
@Suite("the README's guide to running a colony across hosts is what the rehearsal runs")
struct AcrossHostsGuideTests {
    /// The README's example: nine hosts at 10.0.0.1 to 10.0.0.9.
    static let guide = AcrossHostsGuide(addresses: (1...9).map { "10.0.0.\($0)" }, joiningAddress: "10.0.0.10")

    /// This checkout's folder.
    static let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The README's section "Running a colony across hosts", to the next section.
    static func section() throws -> String {
        let readme = try String(contentsOf: checkout.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "\n## Running a colony across hosts\n"))
        let rest = readme[start.upperBound...]
        return String(rest[..<(rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex)])
    }

    /// The blocks of `text` fenced as ```` ```language ````, each with the lines it holds.
    static func blocks(of text: String, language: String) -> [String] {
        let parts = text.components(separatedBy: "```")
        return stride(from: 1, to: parts.count, by: 2).compactMap { index in
            let part = parts[index]
            let firstLine = part.prefix { $0 != "\n" }
            return firstLine == language ? String(part.dropFirst(firstLine.count + 1)) : nil
        }
    }

    /// The command lines of `section`'s shell blocks, their comments left out.
    static func commandLines(of section: String) -> [String] {
        blocks(of: section, language: "sh").flatMap { $0.split(separator: "\n") }.map { line in
            let comment = line.range(of: #"\s+# .*$"#, options: .regularExpression)
            return String(comment.map { line[..<$0.lowerBound] } ?? line[...])
        }
    }

    /// Where `section` departs from what `guide` rehearses, one sentence each: a command it
    /// shows that the rehearsal does not run, a step the rehearsal runs that it does not show,
    /// a `colony.json` or `control.env` other than the rehearsal's.
    static func drift(of section: String, from guide: AcrossHostsGuide) -> [String] {
        let shown = commandLines(of: section)
        let rehearsed = Set(guide.commandLines)
        let notRun = shown.filter { !rehearsed.contains($0) }.map { "shows `\($0)`, which the rehearsal does not run" }
        let colony = { (arguments: [String]) in AcrossHostsGuide.line(["colony"] + arguments) }
        let steps: [(String, [String])] = [
            ("the CA", [colony(guide.certificateCommands[0])]),
            ("a node's certificate", guide.certificateCommands.dropFirst().dropLast().map(colony)),
            ("the operator's certificate", guide.certificateCommands.suffix(1).map(colony)),
            ("the operator's environment", [guide.exportLine]),
            ("a health check", guide.nodes.map { AcrossHostsGuide.line(guide.healthCheck(node: $0)) }),
            ("the directory", [colony(guide.directoryCommand)]),
            ("the control loop's status", [colony(guide.controlStatusCommand)]),
            ("the load", [colony(guide.loadCommand)]),
            ("the joining node's certificate", [colony(guide.joiningCertificateCommand)]),
            ("the joining node's health check", [AcrossHostsGuide.line(guide.healthCheck(node: guide.joiningNode))]),
            ("the join", [colony(guide.joinCommand)]),
            ("the retirement", [colony(guide.goneCommand)]),
        ] + guide.cellCommands.map { ("the cell \($0[2])", [colony($0)]) }
        let notShown = steps.filter { !$0.1.contains(where: shown.contains) }.map { "does not show \($0.0): `\($0.1[0])`" }
        let configuration = blocks(of: section, language: "json") == [guide.configuration(node: 1), guide.joiningConfiguration()]
            ? [] : ["shows a colony.json other than node 1's and the joining node's"]
        let environment = blocks(of: section, language: "").contains(guide.controlEnvironmentFile()) ? [] : ["shows no control.env, or another"]
        return notRun + notShown + configuration + environment
    }

    @Test("the section shows every command, colony.json and control.env the rehearsal runs, and nothing else")
    func sectionIsRehearsed() throws {
        let section = try Self.section()
        #expect(!Self.commandLines(of: section).isEmpty)
        #expect(Self.drift(of: section, from: Self.guide) == [])
    }

    @Test("the check finds a command changed, a step left out and a file changed")
    func driftIsFound() throws {
        let section = try Self.section()
        let loadLine = AcrossHostsGuide.line(["colony"] + Self.guide.loadCommand)
        let drifted = section
            .replacingOccurrences(of: "colony certs client ops --dir certs", with: "colony certs client ops --dir certs --days 30")
            .replacingOccurrences(of: loadLine, with: "")
            .replacingOccurrences(of: "\"zone\": \"zone-c\"}\n", with: "\"zone\": \"zone-d\"}\n")
        #expect(
            Self.drift(of: drifted, from: Self.guide) == [
                "shows `colony certs client ops --dir certs --days 30`, which the rehearsal does not run",
                "does not show the operator's certificate: `colony certs client ops --dir certs`", "does not show the load: `\(loadLine)`",
                "shows a colony.json other than node 1's and the joining node's",
            ])
    }

    @Test("the section names the command each systemd unit starts, as the rehearsal runs it from the unit")
    func unitsCommandsAreShown() throws {
        let section = try Self.section().replacingOccurrences(of: "\n", with: " ")
        for unit in ["colony-node.service", "colony-control.service"] {
            let command = try #require(AcrossHostsGuide.execStart(ofUnit: try AcrossHostsRehearsalTests.unit(unit)), "\(unit) has no ExecStart")
            let shown = AcrossHostsGuide.line(["colony"] + command.dropFirst())
            #expect(command.first == AcrossHostsGuide.installedBinary, "\(unit) runs \(command.first ?? "nothing")")
            #expect(section.contains("`\(shown)`"), "the README does not show \(unit)'s command: \(shown)")
        }
    }

    @Test("the zones take the nodes in equal blocks, and a host's paths move under its folder")
    func guidePlansHosts() {
        let guide = Self.guide
        #expect(guide.nodes.map(guide.zone(of:)) == ["zone-a", "zone-a", "zone-a", "zone-b", "zone-b", "zone-b", "zone-c", "zone-c", "zone-c"])
        #expect(guide.endpoints == ["10.0.0.1:7201", "10.0.0.4:7201", "10.0.0.7:7201"])
        let command = ["/usr/local/bin/colony", "node", "run", "--config", "/etc/colony/colony.json", "--data", "/var/lib/colony", "/etc/colonyx"]
        #expect(
            AcrossHostsGuide.onHost(command, root: "/tmp/host-1", executable: "/build/colony")
                == ["/build/colony", "node", "run", "--config", "/tmp/host-1/etc/colony/colony.json", "--data", "/tmp/host-1/var/lib/colony", "/etc/colonyx"])
        #expect(guide.filesCopied(to: 1).contains("certs/client-ops.key") && !guide.filesCopied(to: 2).contains("certs/client-ops.key"))
    }
}
