import ColonyNode
import Foundation
import Testing

/// The configuration reference cannot drift: its key paths are exactly the keys a node's
/// configuration encodes, and docs/node-configuration.md is exactly what
/// `colony node config-reference` prints.
@Suite("the node configuration reference")
struct NodeConfigReferenceTests {
    /// A configuration with every optional field set, so that every key is encoded.
    static let everyField = NodeConfig(
        colony: "c", node: 1, dataDirectory: "/d",
        nodes: [NodeAddress(node: 1, peerAddress: "h:1", clientAddress: "h:2", adminAddress: "h:3", zone: "z", rack: "r", color: "c")],
        keyFile: "/k", keyFileReadableByOthers: false, cellQuotaMax: CellQuota(keysMax: 1, bytesMax: 1, valueBytesMax: 1),
        tls: TLSFiles(ca: "/ca", certificate: "/c", key: "/k"), plaintext: false, adminTLS: false,
        tracing: NodeTracing(endpoint: "http://h:4", samplingRatio: 1), listen: ListenAddresses(peer: "l:1", client: "l:2", admin: "l:3"))

    /// Every key path of a decoded JSON value, an array's elements as `[]`.
    static func keyPaths(_ value: Any, prefix: String = "") -> Set<String> {
        var paths: Set<String> = []
        if let object = value as? [String: Any] {
            for (key, child) in object {
                let path = prefix.isEmpty ? key : "\(prefix).\(key)"
                paths.insert(path)
                paths.formUnion(keyPaths(child, prefix: path))
            }
        } else if let array = value as? [Any] {
            for element in array {
                paths.formUnion(keyPaths(element, prefix: prefix + "[]"))
            }
        }
        return paths
    }

    @Test("it lists every key the configuration has, and no other")
    func keysMatch() throws {
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(Self.everyField))
        let encoded = Self.keyPaths(json)
        let listed = NodeConfigReference.fields.map(\.keyPath)
        #expect(Set(listed).count == listed.count, "a field is listed twice")
        #expect(Set(encoded).subtracting(listed).isEmpty, "fields the reference misses: \(Set(encoded).subtracting(listed).sorted())")
        #expect(Set(listed).subtracting(encoded).isEmpty, "fields the configuration no longer has: \(Set(listed).subtracting(encoded).sorted())")
    }

    @Test("docs/node-configuration.md is what `colony node config-reference` prints")
    func documentMatches() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let document = try String(contentsOf: root.appendingPathComponent("docs/node-configuration.md"), encoding: .utf8)
        #expect(document == NodeConfigReference.markdown(), "regenerate it: colony node config-reference > docs/node-configuration.md")
    }
}
