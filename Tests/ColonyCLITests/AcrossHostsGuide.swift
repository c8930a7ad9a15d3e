import Foundation

/// The steps of the README's "Running a colony across hosts", spelled out for nodes at given
/// addresses: the commands an operator types, the file each host keeps in `/etc/colony`, the
/// control loop's environment file. Pure: `AcrossHostsRehearsalTests` runs these steps on
/// network namespaces, and `AcrossHostsGuideTests` checks that the README shows the same
/// steps for its example hosts, so the guide and what was rehearsed cannot drift apart.
///
/// Node `i` runs on `addresses[i - 1]`; the zones take the nodes in equal blocks in order (nine
/// nodes in three zones: 1–3, 4–6, 7–9, as `deploy/kubernetes` lays them out). Step 7 adds one
/// more node, on `joiningAddress` in the last zone, and retires the last node for good. A path the guide
/// names on a host (`/etc/colony/...`, `/var/lib/colony`) is written under `root`, the folder a
/// rehearsal gives that host in place of its `/`; the README's rendering has `root` empty.
struct AcrossHostsGuide: Sendable {
    /// The host (a name or an address) each node runs on, in node order.
    var addresses: [String]
    /// The host of the node that joins the running colony (step 7).
    var joiningAddress: String
    /// The zones, each taking an equal block of the nodes.
    var zones = ["zone-a", "zone-b", "zone-c"]
    /// The colony's name.
    var colony = "example"
    /// The cells the guide creates through the control plane, with their replicas.
    var cells: [(name: String, replicas: Int)] = [("orders", 3), ("carts", 5), ("stock", 7)]
    /// How long the guide's checked load runs.
    var loadDuration = "5s"

    /// The ports of every node, each on a host of its own (those of `deploy/`).
    static let peerPort = 7101
    /// The client (gRPC) port.
    static let clientPort = 7201
    /// The admin (HTTP: /health, /metrics, /status) port.
    static let adminPort = 7301
    /// Where a host keeps the node's configuration and TLS files.
    static let configurationFolder = "/etc/colony"
    /// The node's data directory, the systemd unit's `StateDirectory`.
    static let dataDirectory = "/var/lib/colony"

    /// The node ids, from 1.
    var nodes: ClosedRange<Int> { 1...addresses.count }

    /// The zone of `node`.
    func zone(of node: Int) -> String {
        zones[(node - 1) * zones.count / addresses.count]
    }

    /// The client addresses the operator and the control loop start from: the first node of
    /// each zone (a client learns every cell's members and leader from the nodes it reaches).
    var endpoints: [String] {
        zones.indices.map { index in addresses[index * addresses.count / zones.count] + ":\(Self.clientPort)" }
    }

    /// Step 1, on the operator's machine: the CA, one certificate per node naming its host,
    /// one for the operator (arguments after `colony`).
    var certificateCommands: [[String]] {
        [["certs", "init", "--dir", "certs", "--name", "Example colony CA"]]
            + nodes.map { ["certs", "node", "\($0)", "--dir", "certs", "--host", addresses[$0 - 1]] }
            + [["certs", "client", "ops", "--dir", "certs"]]
    }

    /// The operator's files each host's `/etc/colony` receives beside its `colony.json`; the
    /// host of the control loop also receives the operator's client certificate and key.
    func filesCopied(to node: Int) -> [String] {
        ["certs/ca.pem", "certs/node-\(node).pem", "certs/node-\(node).key"]
            + (node == controlNode ? ["certs/client-ops.pem", "certs/client-ops.key"] : [])
    }

    /// The node that also runs the control loop.
    var controlNode: Int { 1 }

    /// Step 2: `node`'s `/etc/colony/colony.json`, its paths under `root`.
    func configuration(node: Int, root: String = "") -> String {
        configuration(node: node, listing: nodes.map { ($0, addresses[$0 - 1], zone(of: $0)) }, root: root)
    }

    /// Step 7: the joining node's `/etc/colony/colony.json`, its paths under `root`: itself,
    /// and node 1 to reach the colony through.
    func joiningConfiguration(root: String = "") -> String {
        configuration(node: joiningNode, listing: [(joiningNode, joiningAddress, zones[zones.count - 1]), (1, addresses[0], zone(of: 1))], root: root)
    }

    /// The `colony.json` of `node` listing `listing` (each node's id, host and zone).
    private func configuration(node: Int, listing: [(node: Int, host: String, zone: String)], root: String) -> String {
        let folder = root + Self.configurationFolder
        let entries = listing.map { other in
            #"    {"node": \#(other.node), "peerAddress": "\#(other.host):\#(Self.peerPort)", "clientAddress": "\#(other.host):\#(Self.clientPort)", "adminAddress": "\#(other.host):\#(Self.adminPort)", "zone": "\#(other.zone)"}"#
        }
        return """
            {
              "colony": "\(colony)",
              "node": \(node),
              "dataDirectory": "\(root + Self.dataDirectory)",
              "nodes": [
            \(entries.joined(separator: ",\n"))
              ],
              "tls": {"ca": "\(folder)/ca.pem", "certificate": "\(folder)/node-\(node).pem", "key": "\(folder)/node-\(node).key"}
            }

            """
    }

    /// Step 3: the control loop's `/etc/colony/control.env`, its paths under `root`, as the
    /// comment of `deploy/systemd/colony-control.service` shows it.
    func controlEnvironment(root: String = "") -> [(name: String, value: String)] {
        let folder = root + Self.configurationFolder
        return [
            ("COLONY_ENDPOINTS", endpoints.joined(separator: ",")), ("COLONY_CACERT", folder + "/ca.pem"),
            ("COLONY_CERT", folder + "/client-ops.pem"), ("COLONY_KEY", folder + "/client-ops.key"),
        ]
    }

    /// The text of `control.env`.
    func controlEnvironmentFile(root: String = "") -> String {
        controlEnvironment(root: root).map { "\($0.name)=\($0.value)\n" }.joined()
    }

    /// Step 4: what the operator exports before the commands that follow, paths relative to
    /// the operator's folder.
    var operatorEnvironment: [(name: String, value: String)] {
        [
            ("COLONY_ENDPOINTS", endpoints.joined(separator: ",")), ("COLONY_CACERT", "certs/ca.pem"),
            ("COLONY_CERT", "certs/client-ops.pem"), ("COLONY_KEY", "certs/client-ops.key"),
        ]
    }

    /// The operator's `export` line.
    var exportLine: String {
        "export " + operatorEnvironment.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }

    /// The host `node` runs on, the joining node's included.
    func host(of node: Int) -> String {
        node == joiningNode ? joiningAddress : addresses[node - 1]
    }

    /// Step 4: is `node` serving? (`serving` on standard output; the full command line).
    func healthCheck(node: Int) -> [String] {
        ["curl", "-fsS", "http://\(host(of: node)):\(Self.adminPort)/health"]
    }

    /// Step 4: the directory made once, from the operator's copy of any node's `colony.json`.
    var directoryCommand: [String] { ["directory", "init", "--config", "colony.json"] }

    /// Step 5: each cell created through the control plane, on nodes the placer chooses.
    var cellCommands: [[String]] {
        cells.map { ["cell", "create", $0.name, "--replicas", "\($0.replicas)"] }
    }

    /// Step 5: what the control loop last did.
    var controlStatusCommand: [String] { ["control", "status"] }

    /// Step 5: a checked load over the cells, its history written to `history.jsonl`.
    var loadCommand: [String] {
        ["load", "--clients", "8", "--duration", loadDuration, "--cells", cells.map(\.name).joined(separator: ","), "--history-out", "history.jsonl"]
    }

    /// Step 7: the node that joins, one id past the last.
    var joiningNode: Int { addresses.count + 1 }
    /// Step 7: the node retired for good, the last.
    var retiredNode: Int { addresses.count }

    /// Step 7: the joining node's certificate.
    var joiningCertificateCommand: [String] { ["certs", "node", "\(joiningNode)", "--dir", "certs", "--host", joiningAddress] }

    /// Step 7: the node recorded in the directory, from the operator's copy of its `colony.json`.
    var joinCommand: [String] { ["node", "join", "--config", "colony-\(joiningNode).json"] }

    /// Step 7: the last node retired for good.
    var goneCommand: [String] { ["node", "gone", "\(retiredNode)"] }

    /// Every command line of the guide, as the README writes it (`colony` commands and `curl`).
    var commandLines: [String] {
        let colonyCommands = certificateCommands + [directoryCommand] + cellCommands + [controlStatusCommand, loadCommand]
            + [joiningCertificateCommand, joinCommand, goneCommand]
        return colonyCommands.map { Self.line(["colony"] + $0) } + (Array(nodes) + [joiningNode]).map { Self.line(healthCheck(node: $0)) }
            + [exportLine]
    }

    /// Where the units of `deploy/systemd` find the `colony` binary.
    static let installedBinary = "/usr/local/bin/colony"

    /// The command line of a systemd unit's `ExecStart=` (the units quote nothing, so it
    /// splits at spaces), or nil if the unit has none.
    static func execStart(ofUnit text: String) -> [String]? {
        text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }
            .map { $0.dropFirst("ExecStart=".count).split(separator: " ").map(String.init) }
    }

    /// `command` as a host whose `/` is `root` runs it: the installed binary replaced by
    /// `executable`, every path under `/etc/colony` or `/var/lib/colony` moved under `root`.
    static func onHost(_ command: [String], root: String, executable: String) -> [String] {
        command.map { argument in
            if argument == installedBinary { return executable }
            let moved = [configurationFolder, dataDirectory].contains { argument == $0 || argument.hasPrefix($0 + "/") }
            return moved ? root + argument : argument
        }
    }

    /// `arguments` as a shell line: an argument holding a space is double-quoted.
    static func line(_ arguments: [String]) -> String {
        arguments.map { $0.contains(" ") ? "\"\($0)\"" : $0 }.joined(separator: " ")
    }
}
