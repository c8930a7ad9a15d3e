@_spi(Testing) import ColonyCore
import ColonyStorage

extension Simulation {
    /// Log options for the simulator: small segments, so segments fill, snapshots are
    /// written and old segments deleted within a short run.
    static var logOptions: WriteAheadLog.Options {
        var options = WriteAheadLog.Options()
        options.segmentBytesMax = 32 * 1024
        options.segmentsMax = 3
        options.snapshotsPerFlushMax = 16
        return options
    }

    /// Starts (or restarts) node `index` from its disk: recovers the log and rebuilds the
    /// replicas, damaged cells empty.
    mutating func boot(_ index: Int) {
        nodes[index].incarnation += 1
        let seed = random.next()
        do {
            let (log, recovery) = try WriteAheadLog.open(disk: nodes[index].disk, options: Self.logOptions, seed: seed)
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
            let (host, output) = ReplicaHost.restore(
                node: nodes[index].id, durable: recovery.cells, damaged: Set(recovery.damaged.keys),
                options: options.replica, seed: seed)
            nodes[index].host = host
            carryOut(output, at: index)
        } catch {
            preconditionFailure("Invalid state: the simulated disk cannot fail, yet recovery failed: \(error)")
        }
    }

    /// Appends an output's records to the node's log; sends its messages at once if nothing
    /// needs to become durable first, else holds them until the flush that covers them.
    mutating func persistThenSend(_ output: HostOutput, at index: Int) {
        guard let log = nodes[index].log else { return }
        var lastLSN = log.durableLSN
        for record in output.persist {
            lastLSN = log.append(record.record, cell: record.cell)
        }
        if options.replica.defects.contains(.sendsBeforeDurable) {
            nodes[index].releasedLSN = max(nodes[index].releasedLSN, lastLSN)
            release(output, from: index)
            if lastLSN > log.durableLSN { startFlushIfIdle(index) }
        } else if lastLSN > log.durableLSN || !nodes[index].held.isEmpty {
            nodes[index].held.append((lastLSN, output))
            startFlushIfIdle(index)
        } else {
            nodes[index].releasedLSN = max(nodes[index].releasedLSN, lastLSN)
            release(output, from: index)
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
        // Most fsyncs take 0.2-2 ms; one in fifty stalls for 10-40 ms.
        let latency = random.next() % 50 == 0
            ? 10 * Nanoseconds.millisecond + random.next() % (30 * Nanoseconds.millisecond)
            : 200_000 + random.next() % (1_800_000)
        schedule(.flushDone(nodeIndex: index, incarnation: nodes[index].incarnation), after: latency)
    }

    /// The fsync finished: release every output it made durable, and start the next flush.
    mutating func flushDone(_ index: Int, incarnation: UInt64) {
        guard nodes[index].incarnation == incarnation, let log = nodes[index].log else { return }
        let durable: UInt64
        do {
            durable = try log.completeFlush()
        } catch {
            preconditionFailure("Invalid state: the simulated disk cannot fail: \(error)")
        }
        statistics.fsyncs += 1
        while let first = nodes[index].held.first, first.lsn <= durable {
            nodes[index].held.removeFirst()
            nodes[index].releasedLSN = max(nodes[index].releasedLSN, first.lsn)
            release(first.output, from: index)
        }
        if log.hasPending {
            startFlushIfIdle(index)
        }
    }
}
