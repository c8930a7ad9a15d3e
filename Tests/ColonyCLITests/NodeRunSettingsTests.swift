import ArgumentParser
import Testing
@testable import colony

/// `colony node run` takes its configuration file, node id and data directory from its flags,
/// else from the environment a container sets, else from the file.
@Suite("the settings a node runs with: flags, then COLONY_CONFIG, COLONY_NODE_ID and COLONY_DATA_DIRECTORY")
struct NodeRunSettingsTests {
    @Test("the environment fills what the flags leave out, and a flag wins over its variable")
    func precedence() throws {
        let environment = ["COLONY_CONFIG": "/etc/colony/colony.json", "COLONY_NODE_ID": "4", "COLONY_DATA_DIRECTORY": "/data/n4"]
        let fromEnvironment = try NodeRunSettings(config: nil, node: nil, dataDirectory: nil, environment: environment)
        #expect(fromEnvironment.configPath == "/etc/colony/colony.json" && fromEnvironment.node == 4 && fromEnvironment.dataDirectory == "/data/n4")
        let fromFlags = try NodeRunSettings(config: "/tmp/c.json", node: 2, dataDirectory: "/tmp/n2", environment: environment)
        #expect(fromFlags.configPath == "/tmp/c.json" && fromFlags.node == 2 && fromFlags.dataDirectory == "/tmp/n2")
        let fileOnly = try NodeRunSettings(config: "/tmp/c.json", node: nil, dataDirectory: nil, environment: ["COLONY_NODE_ID": ""])
        #expect(fileOnly.configPath == "/tmp/c.json" && fileOnly.node == nil && fileOnly.dataDirectory == nil)
    }

    @Test("no configuration file, or a node id that is not one, is a usage error naming the variable")
    func refusals() {
        #expect(throws: ValidationError.self) { try NodeRunSettings(config: nil, node: nil, dataDirectory: nil, environment: [:]) }
        for bad in ["0", "-1", "n3", "4294967296"] {
            do {
                _ = try NodeRunSettings(config: "/c.json", node: nil, dataDirectory: nil, environment: ["COLONY_NODE_ID": bad])
                Issue.record("COLONY_NODE_ID=\(bad) was taken")
            } catch {
                #expect(error.message.contains("COLONY_NODE_ID is \"\(bad)\", not a node id"), "\(error.message)")
            }
        }
    }
}
