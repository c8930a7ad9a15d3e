@_spi(Testing) import ColonyCore
import ColonyNodeCore
@_spi(Testing) import ColonyStorage

extension Simulation {
    /// Log options for the simulator: small segments, so segments fill, snapshots are
    /// written and old segments deleted within a short run.
    var logOptions: WriteAheadLog.Options {
        var logOptions = WriteAheadLog.Options()
        logOptions.segmentBytesMax = 32 * 1024
        logOptions.segmentsMax = 3
        logOptions.snapshotsPerFlushMax = 16
        logOptions.defects = options.storageDefects
        return logOptions
    }

    /// The largest peer frame body the simulated nodes accept, as a real node's default.
    static let frameBytesMax = 16 * 1024 * 1024

    /// Starts (or restarts) node `index` from its disk: recovers the log and starts a node
    /// core on what it found, damaged cells empty.
    mutating func boot(_ index: Int) {
        nodes[index].incarnation += 1
        let seed = random.next()
        do {
            var logOptions = logOptions
            logOptions.formatsRead = FormatLevel.rehearsalRead
            logOptions.formatWritten = WrittenFormat(nodes[index].formatLevel)
            nodes[index].formatWritten = logOptions.formatWritten
            let (log, recovery) = try WriteAheadLog.open(disk: nodes[index].disk, options: logOptions, seed: seed)
            nodes[index].log = log
            if recovery.lastLSN < nodes[index].releasedLSN, statistics.durabilityViolations.count < 20 {
                statistics.durabilityViolations.append(
                    "\(nodes[index].id) sent messages or replies resting on log records through \(nodes[index].releasedLSN), but recovered only through \(recovery.lastLSN) (t=\(now)ns)")
            }
            if recovery.tornTailBytes != nil { statistics.tornWrites += 1 }
            statistics.damagedReplicas += recovery.damaged.count
            if !recovery.damaged.isEmpty {
                faultLog.append(FaultLogEntry(time: now, description: "\(nodes[index].id) recovery: \(recovery.damaged.count) damaged replicas"))
            }
            nodes[index].core = NodeCore(
                node: nodes[index].id, durable: recovery.cells, damaged: Set(recovery.damaged.keys), options: options.replica,
                frameBytesMax: Self.frameBytesMax, formatsRead: FormatLevel.rehearsalRead, seed: seed)
            let level = nodes[index].formatLevel
            nodes[index].core?.raiseFormat(to: level)
            let peers = nodes.map(\.id)
            nodes[index].core?.announce(to: peers)
            carryOutEffects(at: index)
        } catch {
            preconditionFailure("Invalid state: the simulated disk cannot fail, yet recovery failed: \(error)")
        }
    }

    /// Appends the node core's records to the node's log and starts a flush if none is
    /// under way.
    mutating func append(_ append: LogAppend, at index: Int) {
        guard let log = nodes[index].log else { return }
        var lastLSN = log.durableLSN
        for record in append.records {
            lastLSN = log.append(record.record, cell: record.cell)
        }
        nodes[index].appendedTicket = append.ticket
        nodes[index].appendLSNs.append((append.ticket, lastLSN))
        startFlushIfIdle(index)
    }

    /// Notes the newest log record a released message or reply rested on.
    mutating func noteReleased(at index: Int) {
        guard let released = nodes[index].core?.releasedTicket else { return }
        while let first = nodes[index].appendLSNs.first, first.ticket <= released {
            nodes[index].releasedLSN = max(nodes[index].releasedLSN, first.lsn)
            nodes[index].appendLSNs.removeFirst()
        }
    }

    /// Writes what is pending and schedules the fsync's completion after the disk's latency.
    private mutating func startFlushIfIdle(_ index: Int) {
        guard let log = nodes[index].log, !log.isFlushing else { return }
        do {
            guard try log.beginFlush() != nil else { return }
        } catch {
            preconditionFailure("Invalid state: the simulated disk cannot fail: \(error)")
        }
        nodes[index].flushingTicket = nodes[index].appendedTicket
        // Most fsyncs take 0.2-2 ms; one in fifty stalls for 10-40 ms.
        let latency = random.next() % 50 == 0
            ? 10 * Nanoseconds.millisecond + random.next() % (30 * Nanoseconds.millisecond)
            : 200_000 + random.next() % (1_800_000)
        schedule(.flushDone(nodeIndex: index, incarnation: nodes[index].incarnation), after: latency)
    }

    /// The fsync finished: the node core learns its appends are durable and releases what
    /// waited for them; the next flush starts.
    mutating func flushDone(_ index: Int, incarnation: UInt64) {
        guard nodes[index].incarnation == incarnation, let log = nodes[index].log, let ticket = nodes[index].flushingTicket else { return }
        do {
            _ = try log.completeFlush()
        } catch {
            preconditionFailure("Invalid state: the simulated disk cannot fail: \(error)")
        }
        statistics.fsyncs += 1
        nodes[index].flushingTicket = nil
        nodes[index].core?.durable(through: ticket)
        carryOutEffects(at: index)
        if log.hasPending {
            startFlushIfIdle(index)
        }
    }

    /// Raises node `index` to format level 2 once its time has come (see
    /// `SimulationOptions.formatRaisedAt`): first what survives a crash, then its log, then
    /// its frames, as a real node does.
    mutating func raiseFormatIfDue(_ index: Int) {
        guard let raisedAt = options.formatRaisedAt, nodes[index].formatLevel < .rehearsal,
              now >= raisedAt + UInt64(index) * 100 * Nanoseconds.millisecond
        else { return }
        nodes[index].formatLevel = .rehearsal
        nodes[index].formatWritten?.raise(to: .rehearsal)
        nodes[index].core?.raiseFormat(to: .rehearsal)
    }
}
