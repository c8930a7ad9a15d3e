import ColonyClient
import ColonyControl
import ColonyCore
import Foundation
import Logging

/// Reads the format level the colony writes (`ColonyDirectory.formatsKey`) from the directory
/// every `interval`, through a client that presents this node's certificate, and raises the
/// level this node writes to it: first in its data directory (`FormatLevelFile`, so neither
/// a restart nor the build before ever starts this node's data at a lower level), then in its
/// log's new segments and snapshots, then in its peer frames (`raise`); a level it cannot keep
/// in its file it does not write yet. A level this build does not read is never written: the
/// node keeps it in its file (so this build is refused at the next start) and stops, saying
/// which levels it reads (its peers' frames, of that level, it could not read; a node that
/// cannot take part does not pretend to serve).
///
/// A read that fails leaves the level as it was; a restarted node writes the level its file
/// keeps until it reads the directory.
struct FormatLevelRefresher: Sendable {
    let client: ColonyClient
    /// The levels this build reads.
    let read: ClosedRange<FormatLevel>
    /// The level written now, shared with the log.
    let written: WrittenFormat
    /// Where the level written is kept across restarts.
    let file: FormatLevelFile
    /// Tells the node's core to write `level` from now on.
    let raise: @Sendable (FormatLevel) -> Void
    /// Stops the node for the reason given.
    let stop: @Sendable (String) -> Void
    let metrics: NodeMetrics
    let interval: Duration
    let logger: Logger

    /// What a node does with the level number its directory records.
    enum Step: Equatable {
        /// Nothing: it writes that level already, or a higher one.
        case keep
        /// It writes this level from now on.
        case raise(FormatLevel)
        /// The level is not one this build reads; it keeps writing the level it writes.
        case unreadable(Int)
    }

    /// What to do with `recorded`, the level number the directory records, for a node that
    /// reads `read` and writes `written`.
    static func step(recorded: Int, read: ClosedRange<FormatLevel>, written: FormatLevel) -> Step {
        guard let level = FormatLevel(recorded), read.contains(level) else {
            return recorded > written.number ? .unreadable(recorded) : .keep
        }
        return level > written ? .raise(level) : .keep
    }

    /// Reads and adopts until the task is cancelled, or the node stops for a level it does
    /// not read.
    func run() async {
        while !Task.isCancelled {
            if let recorded = await recordedLevel(), !adopt(recorded) { break }
            try? await Task.sleep(for: interval)
        }
        await client.close()
    }

    /// Carries out the step `recorded` calls for; false when the node stops.
    private func adopt(_ recorded: Int) -> Bool {
        switch Self.step(recorded: recorded, read: read, written: written.level) {
        case .keep:
            return true
        case .raise(let level):
            do {
                try file.save(level.number)
            } catch {
                logger.error("\(error): writing \(level) only once it is kept, at a later read of the directory")
                return true
            }
            written.raise(to: level)
            raise(level)
            metrics.formatWritten(level)
            logger.notice("the colony writes format \(level) now: so does this node, in its log's new segments and snapshots and its peer frames")
            return true
        case .unreadable(let number):
            // Kept, so this build is refused at its next start, before it serves.
            do {
                try file.save(number)
            } catch {
                logger.error("\(error)")
            }
            stop(
                "the colony writes format level \(number), and this build (\(NodeBuild.version)) reads levels \(read.numbers): it could not read its peers' frames; run a build that reads level \(number) (`colony upgrade status` shows what the other nodes run)")
            return false
        }
    }

    /// The level number the directory records (1 when none is, or the colony has no
    /// directory), or nil when it could not be read.
    private func recordedLevel() async -> Int? {
        do {
            guard let item = try await client.get(ColonyDirectory.cell, ColonyDirectory.formatsKey) else { return FormatLevel.first.number }
            return try JSONDecoder().decode(FormatRecord.self, from: Data(item.value)).level
        } catch ColonyError.cellNotFound {
            return FormatLevel.first.number
        } catch {
            logger.debug("cannot read the format level from the directory: \(error)")
            return nil
        }
    }
}
