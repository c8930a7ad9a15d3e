import ColonyAPI

/// The discovery cache: what this client believes of each cell's members, learned from the
/// cells' answers, and where it first asks about a cell it knows nothing of.
extension ColonyClient {
    /// Learns `configuration` into the cache of `cell` unless it is older than what the
    /// cache holds; returns the members' addresses learned, if any.
    @discardableResult
    func learn(_ cell: String, _ configuration: Colony_V1_CellConfiguration, hasConfiguration: Bool) -> [String]? {
        guard hasConfiguration, configuration.epoch >= views[cell]?.epoch ?? 0 else { return nil }
        let addresses = configuration.members.map(\.address).filter { !$0.isEmpty }
        if !addresses.isEmpty { views[cell]?.members = addresses }
        views[cell]?.epoch = configuration.epoch
        return addresses.isEmpty ? nil : addresses
    }

    /// Takes `addresses` as where `cell`'s members are, for a cell this client knows nothing
    /// of yet: a hint its caller read from the directory (as `directoryHint` reads one), which
    /// the cell verifies as it verifies any. The first attempt then goes to a member rather
    /// than to a seed, which hosts few of a colony's many cells, so a caller about to reach
    /// very many cells (`colony backup`) spends no retry on finding them.
    public func hintMembers(of cell: String, at addresses: [String]) {
        let usable = addresses.filter { NodeConnection.target($0) != nil }
        guard !usable.isEmpty, views[cell]?.members.isEmpty ?? true else { return }
        views[cell, default: CellView()].members = usable
    }

    /// The node to ask first about a cell this client knows nothing of: a seed chosen by the
    /// cell's name, so that first contacts spread over the seeds instead of all going to one.
    func seed(for cell: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in cell.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return seeds[Int(hash % UInt64(seeds.count))]
    }
}
