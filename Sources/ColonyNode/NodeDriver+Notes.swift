import ColonyCore
import ColonyNodeCore
import Logging

extension NodeDriver {
    /// Logs and counts what the core noted.
    func observe(_ note: NodeNote) {
        switch note {
        case .cell(let event):
            observe(event)
        case .hostingNewCell(let cell, let sender):
            logger.info("hosting a replica of new cell \(cell.name)", metadata: ["from": "\(sender)"])
        case .refusedDeletedCell(let cell, let revision, let sender):
            logger.warning("refusing to create cell \(cell.name) again: it was deleted at revision \(revision)", metadata: ["from": "\(sender)"])
        case .unknownCellsRefused(let sender, let messages):
            metrics.refused(messages, .unknownCell)
            logger.warning(
                "refusing \(messages) messages for cells not hosted here: the node keeps as many unconfirmed replicas as it may",
                metadata: ["peer": "\(sender)"])
        case .leaderNodeLost(let loss):
            metrics.leaderNodeLosses.increment()
            metrics.followersOfLostLeaders.increment(by: Int64(loss.followers))
            let why = switch loss.cause {
            case .silent(let ticks): "silent for \(ticks) ticks"
            case .restarted: "restarted"
            }
            logger.warning("peer \(loss.peer) \(why): \(loss.followers) resting followers here stand for election", metadata: ["peer": "\(loss.peer)"])
        case .malformedFrame(let sender, let error):
            metrics.refused(1, .malformedFrame)
            logger.warning("closing a peer connection: \(error)", metadata: ["peer": "\(sender)"])
        case .oversizeMessageDropped(let cell, let peer, let bytes, let frameBytesMax):
            logger.error("dropping a message for cell \(cell.name) to \(peer): \(bytes) bytes exceed the frame limit of \(frameBytesMax)")
        case .traceContexts:
            // Read before the effects' append (`carryOutEffects`); nothing to log.
            break
        }
    }

    private func observe(_ event: CellEvent) {
        let metadata: Logger.Metadata = ["cell": "\(event.cell.name)"]
        switch event.event {
        case .stoodForElection:
            metrics.elections.increment()
        case .becameLeader:
            metrics.leaderChanges.increment()
            logger.debug("leading", metadata: metadata)
        case .healed:
            logger.notice("replica renewed by its cell; it votes again", metadata: metadata)
        case .forcedHeal(let appliedThrough, let floor):
            metrics.forcedHeals.increment()
            logger.warning(
                "FORCED by an operator: this damaged replica votes again without a renewal, from its state through slot \(appliedThrough), promising \(floor) first; writes the cell acknowledged after that slot may be lost",
                metadata: metadata)
        case .configurationChanged(let configuration):
            logger.info("members now \(configuration.members)", metadata: metadata)
        case .applied(let slot, let batch):
            guard logger.logLevel <= .debug else { return }
            // The request id is the same on every node, so one grep finds a request's path.
            for case .client(let command) in batch {
                logger.debug("applied", metadata: ["cell": "\(event.cell.name)", "request": "\(command.id)", "slot": "\(slot)"])
            }
        case .deleted(let tombstone):
            logger.notice("cell deleted at revision \(tombstone.revision); keeping its tombstone", metadata: metadata)
        case .refusedMessage(let sender, let reason):
            switch reason {
            case .counterAboveBound: metrics.refused(1, .counterAboveBound)
            case .promisedSlotOutOfReach: metrics.refused(1, .promisedSlotOutOfReach)
            case .stateFromStranger: metrics.refused(1, .stateFromStranger)
            }
            logger.warning(
                "dropping a peer message: \(reason); the peer is hostile or broken",
                metadata: ["cell": "\(event.cell.name)", "peer": "\(sender)"])
        case .roundsExhausted(let epoch):
            logger.error(
                "not standing for election: the rounds of epoch \(epoch) reached \(CounterBounds.adoptedMax), pushed there by a hostile peer; the cell needs a new epoch",
                metadata: metadata)
        case .steppedDown, .installedSnapshot:
            break
        }
    }
}
