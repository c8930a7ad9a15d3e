import ColonyControl
import ColonyCore
import ColonyNodeCore
import ColonyWire

/// Faults and actions a test can cause at a time of its choosing, to build a scenario step
/// by step between calls of `run(until:)`.
extension Simulation {
    /// Crashes node `id` now, as the `crash` fault does (it keeps only what it made
    /// durable); it restarts when every fault heals at the end of the workload.
    @_spi(Testing) public mutating func crash(_ id: NodeID) {
        let index = nodeIndex(id)
        guard nodes.indices.contains(index), nodes[index].isUp else { return }
        nodes[index].crash(at: now, using: &random)
        statistics.crashes += 1
        faultLog.append(FaultLogEntry(time: now, description: "crash \(id) (by the test)"))
    }

    /// Freezes node `id` for `duration`, as the `pause` fault does; the end of the workload
    /// resumes it, as it ends every fault.
    @_spi(Testing) public mutating func pause(_ id: NodeID, for duration: UInt64) {
        let index = nodeIndex(id)
        guard nodes.indices.contains(index), nodes[index].isUp else { return }
        pause(index, until: now + duration)
        faultLog.append(FaultLogEntry(time: now, description: "pause \(id) (by the test)"))
    }

    /// Restarts crashed node `id` now, from what it made durable.
    @_spi(Testing) public mutating func restart(_ id: NodeID) {
        restart(nodeIndex(id))
    }

    /// Drains node `id` now, as the `drain` action does; returns what it does, in words.
    @_spi(Testing) @discardableResult public mutating func drain(_ id: NodeID) -> String {
        enqueue(.setState(node: id.rawValue, .draining))
        return "drain \(id)"
    }

    /// Sends `message` from node `from` to node `to` now, over the simulated network, as a
    /// hostile peer holding `from`'s certificate could, whatever `from`'s replica thinks.
    @_spi(Testing) public mutating func inject(_ message: PeerMessage, from: NodeID, to: NodeID) {
        let incarnation = nodes.first { $0.id == from }?.host?.incarnation ?? 0
        let frame = PeerFrame.messages([message], incarnation: incarnation).encoded()
        send(OutgoingFrame(to: to, bytes: frame, messageCount: 1, isControl: false), from: from)
    }

    /// The name of cell `cellIndex`.
    @_spi(Testing) public func cell(_ cellIndex: Int) -> CellID {
        cells[cellIndex]
    }

    /// The ballot node `id`'s replica of cell `cellIndex` promised, if it hosts one.
    @_spi(Testing) public func promise(ofCell cellIndex: Int, at id: NodeID) -> Ballot? {
        replica(ofCell: cellIndex, at: id)?.promised
    }

    /// Node `id`'s replica of cell `cellIndex` as it is now, if it hosts one.
    @_spi(Testing) public func replica(ofCell cellIndex: Int, at id: NodeID) -> CellReplica? {
        nodes[nodeIndex(id)].host?.replica(cells[cellIndex])
    }

    /// The members of the directory cell, as its newest applied configuration has them.
    @_spi(Testing) public var directoryMembers: [NodeID] {
        control.configurations[directoryCell]?.members ?? []
    }

    /// The member of cell `cellIndex` whose replica leads it now; nil while none does.
    @_spi(Testing) public func leader(ofCell cellIndex: Int) -> NodeID? {
        members(ofCell: cellIndex).first { replica(ofCell: cellIndex, at: $0)?.isLeader ?? false }
    }
}
