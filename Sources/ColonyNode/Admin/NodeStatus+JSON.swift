import Foundation

extension NodeStatus {
    /// The status as one JSON object for tools (`/status?format=json`): the summary's figures,
    /// then every replica with its leader, epoch, members and lag, and the deleted cells.
    public var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Every field is a string, number, bool or array of them: encoding cannot fail.
        guard let data = try? encoder.encode(StatusDocument(self)) else {
            preconditionFailure("Invalid state: a node's status always encodes as JSON")
        }
        return Array(data) + [UInt8(ascii: "\n")]
    }
}

/// The JSON shape of `NodeStatus`; the encoder writes its names in snake_case.
private struct StatusDocument: Encodable {
    struct Replica: Encodable {
        var cell: String
        var leader: Bool
        var leaderNode: UInt32?
        var epoch: UInt64?
        var members: [UInt32]?
        var appliedThrough: UInt64
        var chosenThrough: UInt64
        var lagSlots: UInt64
        var damaged: Bool
        var keys: Int
        var bytes: Int
        var revision: UInt64
    }

    var node: UInt32
    var replicas: Int
    var leading: Int
    var damaged: Int
    var watches: Int
    var requestsReceived: Int
    var leaderChanges: Int
    var droppedPeerMessages: Int
    var cells: [Replica]
    var deletedCells: [String]

    init(_ status: NodeStatus) {
        node = status.node.rawValue
        replicas = status.cells.count
        leading = status.cells.filter(\.isLeader).count
        damaged = status.cells.filter(\.isDamaged).count
        watches = status.watches
        requestsReceived = status.statistics.requestsReceived
        leaderChanges = status.statistics.leaderChanges
        droppedPeerMessages = status.droppedPeerMessages
        cells = status.cells.map { cell in
            Replica(
                cell: cell.cell.name, leader: cell.isLeader, leaderNode: cell.leaderHint?.rawValue,
                epoch: cell.configuration?.epoch, members: cell.configuration?.members.map(\.rawValue),
                appliedThrough: cell.appliedThrough, chosenThrough: cell.chosenThrough,
                lagSlots: cell.chosenThrough - cell.appliedThrough, damaged: cell.isDamaged, keys: cell.keyCount,
                bytes: cell.byteCount, revision: cell.revision)
        }
        deletedCells = status.deletedCells.map(\.name)
    }
}
