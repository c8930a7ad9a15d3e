import Foundation
import Testing

/// The README's "Running a colony across hosts" shows exactly what `AcrossHostsRehearsalTests`
/// runs: its commands, its `colony.json` and `control.env` are `AcrossHostsGuide`'s for the
/// README's example hosts, and the command lines it gives for the nodes and the control loop
/// are the `ExecStart` lines of `deploy/systemd/`, which the rehearsal runs.
@Suite("the README's guide to running a colony across hosts is what the rehearsal runs")
struct AcrossHostsGuideTests {
    /// The README's example: nine hosts at 10.0.0.1 to 10.0.0.9.
    static let guide = AcrossHostsGuide(addresses: (1...9).map { "10.0.0.\($0)" })

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

    /// The command lines of the section's shell blocks, their comments left out.
    static func commandLines() throws -> [String] {
        try blocks(of: section(), language: "sh").flatMap { $0.split(separator: "\n") }.map { line in
            let comment = line.range(of: #"\s+# .*$"#, options: .regularExpression)
            return String(comment.map { line[..<$0.lowerBound] } ?? line[...])
        }
    }

    @Test("every command the section shows is one the rehearsal runs, and it shows every step the rehearsal runs")
    func commandsAreRehearsed() throws {
        let shown = try Self.commandLines()
        let rehearsed = Set(Self.guide.commandLines)
        #expect(!shown.isEmpty)
        for line in shown {
            #expect(rehearsed.contains(line), "the README shows `\(line)`, which the rehearsal does not run")
        }
        let guide = Self.guide
        let steps: [(String, [String])] = [
            ("the CA", [AcrossHostsGuide.line(["colony"] + guide.certificateCommands[0])]),
            ("a node's certificate", guide.certificateCommands.dropFirst().dropLast().map { AcrossHostsGuide.line(["colony"] + $0) }),
            ("the operator's certificate", [AcrossHostsGuide.line(["colony"] + guide.certificateCommands.last!)]),
            ("the operator's environment", [guide.exportLine]),
            ("a health check", guide.nodes.map { AcrossHostsGuide.line(guide.healthCheck(node: $0)) }),
            ("the directory", [AcrossHostsGuide.line(["colony"] + guide.directoryCommand)]),
            ("the control loop's status", [AcrossHostsGuide.line(["colony"] + guide.controlStatusCommand)]),
            ("the load", [AcrossHostsGuide.line(["colony"] + guide.loadCommand)]),
        ] + guide.cellCommands.map { ("the cell \($0[2])", [AcrossHostsGuide.line(["colony"] + $0)]) }
        for (step, lines) in steps {
            #expect(lines.contains(where: shown.contains), "the README does not show \(step): \(lines.first ?? "")")
        }
    }

    @Test("the section's colony.json and control.env are the ones the rehearsal writes")
    func filesAreRehearsed() throws {
        let section = try Self.section()
        #expect(Self.blocks(of: section, language: "json") == [Self.guide.configuration(node: 1)])
        #expect(Self.blocks(of: section, language: "").contains(Self.guide.controlEnvironmentFile()))
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
