import Foundation
import Testing
@testable import ColonyNode

/// A node's configuration file is read strictly: unknown keys at any level are refused with
/// the key that was meant, and every field's problem names the field.
@Suite("a node's configuration file is read strictly and every mistake names its field")
struct NodeConfigTests {
    /// A configuration that loads, as JSON text; `edit` changes it first.
    static func text(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        var object: [String: Any] = [
            "colony": "dev", "node": 1, "dataDirectory": "/tmp/colony-config-test", "plaintext": true,
            "nodes": [
                ["node": 1, "peerAddress": "127.0.0.1:7101", "clientAddress": "127.0.0.1:7201", "adminAddress": "127.0.0.1:7301"],
                ["node": 2, "peerAddress": "127.0.0.1:7102", "clientAddress": "127.0.0.1:7202", "zone": "z2"],
            ],
        ]
        edit(&object)
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    /// Loads `text` from a file; returns the reason it was refused, or nil if it loaded.
    static func refusal(_ text: String) throws -> String? {
        let path = NSTemporaryDirectory() + "colony-config-\(UUID().uuidString).json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try NodeConfig.load(path: path)
            return nil
        } catch .invalid(_, let reason) {
            return reason
        } catch {
            return "\(error)"
        }
    }

    static func node(_ index: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { object in
            var nodes = object["nodes"] as? [[String: Any]] ?? []
            edit(&nodes[index])
            object["nodes"] = nodes
        }
    }

    @Test("a valid configuration loads")
    func validLoads() throws {
        #expect(try Self.refusal(Self.text()) == nil)
    }

    @Test("a node id and a data directory given at start replace the file's, and are checked like them")
    func overrides() throws {
        let path = NSTemporaryDirectory() + "colony-config-\(UUID().uuidString).json"
        try Self.text().write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let second = try NodeConfig.load(path: path, node: 2, dataDirectory: "/tmp/n2")
        #expect(second.node == 2 && second.dataDirectory == "/tmp/n2" && second.own.clientAddress == "127.0.0.1:7202")
        #expect(throws: NodeConfigError.self) { try NodeConfig.load(path: path, node: 9) }
    }

    @Test("listeners bind the listen addresses, each defaulting to the address the node advertises")
    func listenAddresses() throws {
        let path = NSTemporaryDirectory() + "colony-config-\(UUID().uuidString).json"
        try Self.text { $0["listen"] = ["peer": "0.0.0.0:7101", "admin": "0.0.0.0:7301"] }.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try NodeConfig.load(path: path)
        #expect(config.peerListenAddress == "0.0.0.0:7101")
        #expect(config.clientListenAddress == "127.0.0.1:7201")
        #expect(config.adminListenAddress == "0.0.0.0:7301")
        #expect(config.own.peerAddress == "127.0.0.1:7101", "peers still reach the node where it advertises")
        let withoutAdmin = try Self.refusal(Self.text {
            $0["node"] = 2
            $0["listen"] = ["admin": "0.0.0.0:7302"]
        })
        #expect(withoutAdmin?.contains("\"listen.admin\" is set but this node advertises no \"adminAddress\"") == true, "\(withoutAdmin ?? "accepted")")
    }

    @Test("a misspelt key is refused with the key it meant, at the top level and inside the node list")
    func misspeltKeys() throws {
        let typo = try Self.refusal(Self.text { $0["keyfile"] = "/etc/colony/key" })
        #expect(typo == #"unknown key "keyfile" at the top level; did you mean "keyFile"?"#)
        let nested = try Self.refusal(Self.text(Self.node(1) { $0["adminAdress"] = "127.0.0.1:7302" }))
        #expect(nested == #"unknown key "adminAdress" in nodes[1]; did you mean "adminAddress"?"#)
        let inQuota = try Self.refusal(Self.text {
            $0["cellQuotaMax"] = ["keysMax": 10, "bytesMax": 4096, "valueBytesMax": 1024, "valueBytes": 9]
        })
        #expect(inQuota == #"unknown key "valueBytes" in cellQuotaMax; did you mean "valueBytesMax"?"#)
    }

    @Test("a negative node id is reported as one, not as invalid JSON")
    func negativeNodeID() throws {
        #expect(try Self.refusal(Self.text { $0["node"] = -3 }) == "node should be a whole number from 0 to 4294967295, not -3")
        #expect(try Self.refusal(Self.text(Self.node(0) { $0["node"] = -1 }))
            == "nodes[0].node should be a whole number from 0 to 4294967295, not -1")
        #expect(try Self.refusal(Self.text { $0["node"] = 0 }) == "\"node\" is 0; node ids run from 1 to 4294967295")
    }

    @Test("each field's problem names the field")
    func fieldsNamed() throws {
        let cases: [((inout [String: Any]) -> Void, String)] = [
            ({ $0["colony"] = "" }, "\"colony\" must be a name of 1 to 64 bytes, not 0"),
            ({ $0["dataDirectory"] = "" }, "\"dataDirectory\" is empty"),
            ({ $0["keyFile"] = "" }, "\"keyFile\" is empty"),
            ({ $0["plaintext"] = "yes" }, #"plaintext should be true or false, not "yes""#),
            (Self.node(1) { $0["peerAddress"] = "nowhere" }, #""nodes[1].peerAddress" is "nowhere", not an address"#),
            (Self.node(1) { $0["clientAddress"] = "127.0.0.1:7201" }, #""nodes[1].clientAddress" and "nodes[0].clientAddress" are both 127.0.0.1:7201"#),
            (Self.node(1) { $0["zone"] = "z 2" }, #""nodes[1].zone" is "z 2"; use only A-Z a-z 0-9 - _ ."#),
            (Self.node(1) { $0["node"] = 0 }, #""nodes[1].node" is 0"#),
            (Self.node(1) { $0["node"] = 1 }, "node 1 is listed twice in \"nodes\" (again at nodes[1])"),
            ({ $0.removeValue(forKey: "dataDirectory") }, #"missing key "dataDirectory" at the top level"#),
            ({ $0["cellQuotaMax"] = ["keysMax": 0, "bytesMax": 1, "valueBytesMax": 1] }, "\"cellQuotaMax.keysMax\" must be from 1 to"),
            ({ $0["listen"] = ["peer": "0.0.0.0"] }, #""listen.peer" is "0.0.0.0", not an address"#),
            ({ $0["listen"] = ["peer": "0.0.0.0:7201", "client": "0.0.0.0:7201"] }, "this node's peer and client listeners would both bind 0.0.0.0:7201"),
            ({ $0["listen"] = ["client": "127.0.0.1:7301"] }, "this node's client and admin listeners would both bind 127.0.0.1:7301"),
            ({ $0["listen"] = ["adress": "0.0.0.0:1"] }, #"unknown key "adress" in listen"#),
        ]
        for (edit, expected) in cases {
            let refusal = try Self.refusal(Self.text(edit)) ?? "accepted"
            #expect(refusal.contains(expected), "\(refusal)")
        }
    }
}
