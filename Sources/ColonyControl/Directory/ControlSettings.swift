/// The control plane's switches, kept in the directory under `ColonyDirectory.settingsKey`,
/// so every control loop and command reads the same ones.
public struct ControlSettings: Codable, Hashable, Sendable {
    /// The default rate of moves, colony-wide.
    public static let movesPerSecondDefault = 1.0
    /// The highest rate of moves the settings accept.
    public static let movesPerSecondMax = 100.0

    /// While true, the control loop starts no move and sends no membership change: every
    /// automatic move and re-placement stops at once (`colony control pause`).
    public var paused: Bool
    /// How many moves the control loop may start per second, colony-wide.
    public var movesPerSecond: Double

    /// Makes settings; the defaults run unpaused at one move per second.
    public init(paused: Bool = false, movesPerSecond: Double = Self.movesPerSecondDefault) {
        self.paused = paused
        self.movesPerSecond = movesPerSecond
    }

    /// What is wrong with the settings, or nil.
    public var problem: String? {
        guard movesPerSecond > 0, movesPerSecond <= Self.movesPerSecondMax else {
            return "movesPerSecond \(movesPerSecond) must be above 0 and at most \(Self.movesPerSecondMax)"
        }
        return nil
    }
}

/// What the running control loop last did, written under `ColonyDirectory.statusKey` when it
/// changes and at least every `statusRefreshSeconds` (`ControlLoopCore.Configuration`), so
/// `colony control status` and `pause` can see it work.
public struct ControlStatus: Codable, Hashable, Sendable {
    /// Passes made since the loop started.
    public var pass: UInt64
    /// Whether the loop found the colony paused on this pass.
    public var paused: Bool
    /// Moves the loop started since it started.
    public var movesStarted: Int
    /// Moves the loop saw through since it started.
    public var movesFinished: Int
    /// Cells with a move under way.
    public var movesUnderWay: [String]
    /// Replicas still to move off draining and gone nodes.
    public var replicasToMove: Int
    /// Problems the loop cannot solve by itself (a cell whose members differ from its
    /// record, a record it cannot read), newest pass only.
    public var problems: [String]
    /// A number the loop draws when it starts, so a restarted loop is told from the old one.
    public var loop: UInt64

    /// Makes a status.
    public init(
        pass: UInt64, paused: Bool, movesStarted: Int, movesFinished: Int, movesUnderWay: [String], replicasToMove: Int,
        problems: [String], loop: UInt64
    ) {
        self.pass = pass
        self.paused = paused
        self.movesStarted = movesStarted
        self.movesFinished = movesFinished
        self.movesUnderWay = movesUnderWay
        self.replicasToMove = replicasToMove
        self.problems = problems
        self.loop = loop
    }
}
