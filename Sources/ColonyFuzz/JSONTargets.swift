import ColonyAPI
import ColonyClient
import ColonyCore
import ColonyJSON
@_spi(Testing) import ColonyNode
import Foundation

extension FuzzTarget {
    /// Transaction documents as `colony txn` reads them, then mapped as the node maps the
    /// request they become.
    public static func transactionDocument() -> FuzzTarget {
        FuzzTarget(
            name: "transaction-document", summary: "JSON transaction documents, parsed and mapped as a node maps them",
            corpus: transactionDocumentCorpus, mutate: mutateJSON, decode: parseTransactionDocument)
    }

    /// Node configuration files, read strictly and validated; a configuration that passes
    /// must name its own node and survive a round trip.
    public static func nodeConfig() -> FuzzTarget {
        FuzzTarget(
            name: "node-config", summary: "node configuration files (strict JSON), read and validated",
            corpus: nodeConfigCorpus, mutate: mutateJSON, decode: readNodeConfig)
    }

    @Sendable static func parseTransactionDocument(_ bytes: [UInt8]) -> FuzzOutcome {
        guard var request = try? TransactionDocument.parse(Data(bytes)) else { return .refused }
        guard !request.success.isEmpty || !request.failure.isEmpty else {
            return .violated("a transaction document without steps was accepted")
        }
        request.header = .with { $0.cell = "accounts"; $0.clientID = 1; $0.sequence = 1 }
        let operation = Colony_V1_SessionOperation.with { $0.transaction = request }
        guard let message = try? operation.serializedBytes() as [UInt8] else {
            return .violated("a parsed transaction does not serialize")
        }
        switch mapClientMessage([0] + message) {
        case .decoded: return .decoded
        case .refused: return .refused
        case .violated(let reason): return .violated("the parsed transaction: \(reason)")
        }
    }

    @Sendable static func readNodeConfig(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let config = try? StrictJSON.decode(NodeConfig.self, from: Data(bytes)), (try? config.validate()) != nil else {
            return .refused
        }
        // Both trap on a configuration that validation should have refused.
        guard config.own.node == config.node, config.nodes.allSatisfy({ config.address(of: NodeID($0.node)) != nil }) else {
            return .violated("a valid configuration does not find its own nodes")
        }
        guard let encoded = try? JSONEncoder().encode(config), let again = try? StrictJSON.decode(NodeConfig.self, from: encoded),
              again == config
        else {
            return .violated("a valid configuration does not survive a round trip")
        }
        return .decoded
    }

    static var transactionDocumentCorpus: [[UInt8]] {
        [
            #"{"conditions":[{"key":"owner","value":"alice"},{"key":"lock","exists":false},{"key":"count","version":7}],"success":[{"put":"lock","value":"alice"},{"increment":"count","by":1},{"get":"owner"},{"delete":"request"}],"failure":[{"get":"owner"}]}"#,
            #"{"success":[{"increment":"n","by":-9223372036854775808}]}"#,
            #"{"conditions":[{"key":"é日🦀","version":0}],"failure":[{"put":"k","value":"\u0000\n"}]}"#,
        ].map { Array($0.utf8) }
    }

    static var nodeConfigCorpus: [[UInt8]] {
        [
            #"""
            {"colony":"dev","node":1,"dataDirectory":"/var/lib/colony/n1","nodes":[
              {"node":1,"peerAddress":"127.0.0.1:7101","clientAddress":"127.0.0.1:7201","adminAddress":"127.0.0.1:7301","zone":"z1","rack":"r1","color":"default"},
              {"node":2,"peerAddress":"127.0.0.1:7102","clientAddress":"127.0.0.1:7202","adminAddress":"127.0.0.1:7302","zone":"z2","rack":"r1"}],
             "keyFile":null,"cellQuotaMax":{"keysMax":10000,"bytesMax":4194304,"valueBytesMax":65536},
             "tls":{"ca":"/etc/colony/ca.pem","certificate":"/etc/colony/node-1.pem","key":"/etc/colony/node-1.key"}}
            """#,
            #"""
            {"colony":"c","node":4294967295,"dataDirectory":"d","plaintext":true,"keyFile":"k","keyFileReadableByOthers":true,
             "nodes":[{"node":4294967295,"peerAddress":"[::1]:1","clientAddress":"localhost:65535"}]}
            """#,
        ].map { Array($0.utf8) }
    }

    /// Pieces of JSON that break readers: numbers at and past the edges of integer types,
    /// strings of odd characters, empty and nested containers, literals of the wrong type.
    static let jsonTokens: [String] = [
        "0", "-1", "1", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "1e400", "-0", "0.5", "1e2", "null", "true", "false", "\"\"", "\"\\u0000\"", "\"\\ud800\"",
        "\"é日🦀\"", "[]", "{}", "[[[[[[[[]]]]]]]]", "{\"\":{}}", "\"" + String(repeating: "a", count: 300) + "\"",
        "\"127.0.0.1:0\"", "\"[::1]:99999\"", "\":\"", "\"host:\"", ",", ":", "\"node\"", "\"nodes\"", "\"success\"",
        "\"conditions\"", "\"by\"", "\"version\"",
    ]

    /// A JSON-aware edit half the time (a token replaced by, or followed by, one of
    /// `jsonTokens`), a byte-level mutation otherwise.
    @Sendable static func mutateJSON(_ mutator: inout Mutator, _ corpus: [[UInt8]]) -> [UInt8] {
        var bytes = mutator.pick(corpus)
        for _ in 0..<(1 + mutator.below(3)) {
            guard mutator.below(2) == 0, !bytes.isEmpty else {
                bytes = mutator.mutate(bytes, corpus: corpus)
                continue
            }
            let token = Array(mutator.pick(jsonTokens).utf8)
            let start = mutator.below(bytes.count)
            var end = start
            while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
            bytes.replaceSubrange(start..<(mutator.below(2) == 0 ? end : start), with: token)
        }
        return bytes
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+")
    }
}
