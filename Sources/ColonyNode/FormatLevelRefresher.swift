import ColonyClient
import ColonyControl
import ColonyCore
import Foundation
import Logging

/// Reads the format level the colony writes (`ColonyDirectory.formatsKey`) from the directory
/// every `interval`, through a client that presents this node's certificate, and raises the
/// level this node writes to it (`raise`): its peer frames, and its log's new segments and
/// snapshots. A level this build does not read is never written: the node says so, loudly,
/// at each read, and goes on writing the level it did (its peers, which do read the new
/// level, still read its frames; their frames it refuses, naming the versions it reads).
///
/// A read that fails leaves the level as it was. A restarted node writes level 1 until its
/// first read, which every build that reads the colony's level reads too.
struct FormatLevelRefresher: Sendable {
    let client: ColonyClient
    /// The levels this build reads.
    let read: ClosedRange<FormatLevel>
    /// The level written now, shared with the log.
    let written: WrittenFormat
    /// Tells the node's core to write `level` from now on.
    let raise: @Sendable (FormatLevel) -> Void
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

    /// Reads and adopts until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            if let recorded = await recordedLevel() { adopt(recorded) }
            try? await Task.sleep(for: interval)
        }
        await client.close()
    }

    /// Carries out the step `recorded` calls for.
    private func adopt(_ recorded: Int) {
        switch Self.step(recorded: recorded, read: read, written: written.level) {
        case .keep:
            return
        case .raise(let level):
            written.raise(to: level)
            raise(level)
            metrics.formatWritten(level)
            logger.notice("the colony writes format \(level) now: so does this node, in its peer frames and its log's new segments and snapshots")
        case .unreadable(let number):
            logger.critical(
                "the colony writes format level \(number), and this build (\(NodeBuild.version)) reads levels \(read.numbers): its peers' frames are refused and its cells go on without it; run a build that reads level \(number)")
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
