import ColonyAPI
import ColonyCore
@_spi(Testing) import ColonyNode
import ColonyWire
import Foundation
import SwiftProtobuf

extension FuzzTarget {
    /// The client API's messages as a node reads them: protobuf bytes decoded into a session
    /// operation (every single call's request is one of its cases) or a cell creation, then
    /// mapped to the cell request it becomes. The first byte says which (even: an
    /// operation). What the node accepts must encode for its peers and decode back the same.
    public static func clientAPI() -> FuzzTarget {
        FuzzTarget(name: "client-api", summary: "client API requests (protobuf) as a node maps them to cell requests",
                   corpus: clientAPICorpus, decode: mapClientMessage)
    }

    /// The configuration creation requests are mapped under: five nodes, standard quotas.
    static let clientAPIConfig = NodeConfig(
        colony: "fuzz", node: 1, dataDirectory: "/nonexistent",
        nodes: (1...5).map { NodeAddress(node: $0, peerAddress: "127.0.0.1:\(7100 + $0)", clientAddress: "127.0.0.1:\(7200 + $0)") },
        plaintext: true)

    @Sendable static func mapClientMessage(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let kind = bytes.first else { return .refused }
        let message = Array(bytes.dropFirst())
        if kind % 2 == 0 {
            guard let operation = try? Colony_V1_SessionOperation(serializedBytes: message),
                  case .success(let request) = ClientRequestMapping.map(operation)
            else { return .refused }
            guard let decoded = try? WireCodec.decode(ColonyCore.ClientRequest.self, from: WireCodec.encode(request)) else {
                return .violated("a request the node accepts does not decode at its peers")
            }
            return decoded == request ? .decoded : .violated("a request the node accepts changes on its way to its peers")
        }
        guard let creation = try? Colony_V1_CreateCellRequest(serializedBytes: message),
              case .success(let (cell, configuration)) = ClientRequestMapping.map(creation, config: clientAPIConfig)
        else { return .refused }
        let frame = PeerFrame.createCell(cell, configuration)
        guard FuzzTarget.decodePeerFrame(frame.encoded()) == .decoded else {
            return .violated("a cell creation the node accepts makes a frame its peers refuse")
        }
        return .decoded
    }

    /// One valid message of every kind, each behind its kind byte.
    static var clientAPICorpus: [[UInt8]] {
        var header = Colony_V1_RequestHeader()
        header.cell = "accounts"
        header.clientID = 0x1234_5678_9ABC
        header.sequence = 7
        header.expectedEpoch = 2
        let operations: [Colony_V1_SessionOperation.OneOf_Operation] = [
            .get(.with { $0.header = header; $0.key = "alice"; $0.consistency = .stale }),
            .put(.with { $0.header = header; $0.key = "alice"; $0.value = Data("100".utf8) }),
            .delete(.with { $0.header = header; $0.key = "bob" }),
            .compareAndSet(.with { $0.header = header; $0.key = "lock"; $0.absent = true; $0.newValue = Data("me".utf8) }),
            .compareAndSet(.with { $0.header = header; $0.key = "lock"; $0.version = 3; $0.newValue = Data() }),
            .increment(.with { $0.header = header; $0.key = "count"; $0.delta = -5 }),
            .list(.with { $0.header = header; $0.prefix = "a"; $0.limit = 10 }),
            .transaction(.with {
                $0.header = header
                $0.conditions = [
                    .with { $0.key = "owner"; $0.valueEquals = Data("alice".utf8) },
                    .with { $0.key = "lock"; $0.exists = false },
                    .with { $0.key = "count"; $0.versionEquals = 7 },
                ]
                $0.success = [
                    .with { $0.put = .with { $0.key = "lock"; $0.value = Data("alice".utf8) } },
                    .with { $0.increment = .with { $0.key = "count"; $0.delta = 1 } },
                    .with { $0.get = "owner" },
                    .with { $0.delete = "request" },
                ]
                $0.failure = [.with { $0.get = "owner" }]
            }),
            .deleteCell(.with { $0.header = header }),
            .restore(.with {
                $0.header = header
                $0.revision = 7
                $0.first = true
                $0.items = [.with { $0.key = "owner"; $0.value = Data("ana".utf8); $0.version = 3 }]
            }),
        ]
        let sessionOperations = operations.enumerated().map { index, operation in
            [UInt8(2 * index)] + ((try? Colony_V1_SessionOperation.with { $0.tag = UInt64(index); $0.operation = operation }
                .serializedBytes()) ?? [])
        }
        let creations = [
            Colony_V1_CreateCellRequest.with { $0.cell = "accounts"; $0.nodes = [1, 2, 3] },
            Colony_V1_CreateCellRequest.with {
                $0.cell = "orders"
                $0.nodes = [1, 2, 3, 4, 5]
                $0.limits = .with { $0.keysMax = 100; $0.bytesMax = 65_536; $0.valueBytesMax = 1_024 }
            },
        ].enumerated().map { index, creation in [UInt8(2 * index + 1)] + ((try? creation.serializedBytes()) ?? []) }
        return sessionOperations + creations
    }
}
