import ColonyCore

extension Simulation {
    /// Asks a cell to replace one member by a node outside it, as an operator would, and
    /// schedules the move back.
    mutating func startMove() -> PendingMove? {
        let cellIndex = Int(random.next() % UInt64(cells.count))
        guard let configuration = currentConfiguration(cellIndex) else { return nil }
        let outside = nodes.map(\.id).filter { !configuration.contains($0) }
        guard !outside.isEmpty else { return nil }
        let remove = configuration.members[Int(random.next() % UInt64(configuration.members.count))]
        let add = outside[Int(random.next() % UInt64(outside.count))]
        let move = PendingMove(cellIndex: cellIndex, change: MembershipChange(remove: remove, add: add))
        requestMembershipChange(move.change, cellIndex: cellIndex)
        moves.append(move)
        statistics.faultsInjected += 1
        schedule(.moveBack(moveIndex: moves.count - 1), after: Nanoseconds.second + random.next() % (2 * Nanoseconds.second))
        return move
    }

    /// Moves a cell back onto the node an earlier move took it off.
    mutating func startMoveBack(_ moveIndex: Int) {
        let move = moves[moveIndex]
        let back = MembershipChange(remove: move.change.add, add: move.change.remove)
        requestMembershipChange(back, cellIndex: move.cellIndex)
        faultLog.append(FaultLogEntry(time: now, description: "moving \(cells[move.cellIndex]) back: \(back)"))
    }

    /// The newest configuration any running replica of the cell has applied (what an
    /// operator's control plane would read from the nodes' status).
    private mutating func currentConfiguration(_ cellIndex: Int) -> CellConfiguration? {
        var newest: CellConfiguration?
        for node in nodes {
            guard let configuration = node.host?.replica(cells[cellIndex])?.configuration else { continue }
            if newest == nil || configuration.epoch > (newest?.epoch ?? 0) {
                newest = configuration
            }
        }
        return newest
    }

    /// Sends the change through an operator's client, which retries like any client but
    /// is left out of the history.
    private mutating func requestMembershipChange(_ change: MembershipChange, cellIndex: Int) {
        let clientIndex = clients.indices.first { !clients[$0].recordsHistory && clients[$0].current == nil }
            ?? addClient(recordsHistory: false)
        let planned = PlannedOperation(
            function: nil, cellIndex: cellIndex, key: nil, operation: .changeMembership(change),
            consistency: .linearizable, invokeValue: .null)
        begin(planned, clientIndex: clientIndex)
    }
}
