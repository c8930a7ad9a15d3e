import Foundation

extension ColonyClient {
    /// The client addresses the directory lists for `cell`'s members, read from any replica
    /// of the directory (a stale read: it is a hint, verified by the cell itself); nil when
    /// the directory has no record of it or cannot be reached.
    ///
    /// Only asked for a cell no seed node hosts and this client knows nothing of: a client
    /// with a warm cache never reads the directory, so it keeps working while the directory
    /// is down.
    func directoryHint(for cell: String) async -> [String]? {
        guard cell != ColonyDirectory.cell,
              let item = try? await get(ColonyDirectory.cell, ColonyDirectory.cellKey(cell), stale: true),
              let hint = try? JSONDecoder().decode(DirectoryHint.self, from: Data(item.value))
        else { return nil }
        let addresses = hint.clientAddresses.filter { NodeConnection.target($0) != nil }
        return addresses.isEmpty ? nil : addresses
    }
}

/// The part of a directory cell record (ColonyControl's `PlacedCell`) the client reads.
private struct DirectoryHint: Decodable {
    var clientAddresses: [String]
}
