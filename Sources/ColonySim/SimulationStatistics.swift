import ColonyCore

/// What one simulated run did, counted.
public struct SimulationStatistics: Sendable {
    /// Operations clients started (recorded in the history).
    public var operations = 0
    /// Operations that took effect.
    public var succeeded = 0
    /// Operations that certainly did not take effect.
    public var failed = 0
    /// Operations whose outcome is unknown (timed out).
    public var unknown = 0
    /// Client attempts whose connection a down node's address refused.
    public var connectionsRefused = 0
    /// Reads of every key of every cell, made after the faults healed.
    public var finalReads = 0
    /// Final reads that were answered (the rest timed out and prove nothing).
    public var finalReadsAnswered = 0
    /// Stale reads served (not part of the history: they may be stale by design).
    public var staleReads = 0
    /// Faults started.
    public var faultsInjected = 0
    /// Times a replica became leader.
    public var leaderChanges = 0
    /// Membership changes applied (counted once per change, by its leader).
    public var membershipChanges = 0
    /// Peer frames delivered between nodes, each decoded by its receiver's node core.
    public var framesDelivered = 0
    /// Of them, frames of format level 2 (`SimulationOptions.formatRaisedAt`).
    public var framesOfLevelTwo = 0
    /// Frames a node sent in a format level other than the one it keeps (a restart that
    /// forgot its level, or a raise its core missed): a violation.
    public var framesBelowLevel: [String] = []
    /// Node crashes.
    public var crashes = 0
    /// Polite stops: a node handed off its leaderships, then went down.
    public var stops = 0
    /// Log flushes (one fsync each), across all nodes.
    public var fsyncs = 0
    /// Recoveries that cut away a torn last write.
    public var tornWrites = 0
    /// Bits flipped in stored files.
    public var corruptions = 0
    /// Replicas recovery found damaged.
    public var damagedReplicas = 0
    /// Replicas renewed after coming back empty or damaged.
    public var renewals = 0
    /// Damaged replicas an operator forced to vote again.
    public var forcedHeals = 0
    /// What the control plane did: drains, removals, additions, moves near a zone.
    public var control = ControlStatistics()
    /// Simulated time covered, in nanoseconds.
    public var simulatedNanoseconds: UInt64 = 0
    /// Replicas that applied a different batch for a slot than another replica did.
    public var agreementViolations: [String] = []
    /// Nodes that came back from a crash with less of their log than they had already acted
    /// on: a message or reply they sent rested on a record recovery did not find.
    public var durabilityViolations: [String] = []

    /// Membership changes of the control plane that left a cell without a majority of live
    /// members when the faults had not taken it (see `MajorityChecker`).
    public var majorityViolations: [String] = []
    /// Frames a node refused or could not send: every frame a node encodes must decode at
    /// its peer, so any is a codec or limit bug.
    public var refusedFrames: [String] = []

    /// Final reads that got no answer within a client's deadline although every fault had
    /// healed: a cell that stays unable to answer, or a client that cannot find it.
    public var unansweredFinalReads: [String] = []

    /// Quiescent followers that, once every fault had healed, still trusted a leader that
    /// could no longer speak for their cell (see `Simulation.checkQuiescentTrust`).
    public var staleQuiescentTrust: [String] = []
    /// Ticks a node skipped at which an awake replica had something to do, when the replicas'
    /// `auditsTickSchedule` option is on (see `ReplicaHost.skippedTicksThatActed`).
    public var skippedTicksThatActed: [String] = []
    /// Replicas at rest (quiescent) on the nodes up when the final reads began, and all
    /// replicas on those nodes.
    public var restingReplicasAtEnd = 0
    /// All replicas on the nodes up when the final reads began.
    public var replicasAtEnd = 0

    /// Everything the simulator itself saw go wrong, besides what the history checker finds.
    public var violations: [String] {
        agreementViolations + durabilityViolations + majorityViolations + refusedFrames + unansweredFinalReads
            + staleQuiescentTrust + skippedTicksThatActed + framesBelowLevel
    }

    /// Makes zeroed statistics.
    public init() {}
}

/// A fault as it started or healed, for the demo's view and for reports.
public struct FaultLogEntry: Hashable, Sendable {
    /// Simulated time, in nanoseconds.
    public var time: UInt64
    /// What happened, in words.
    public var description: String
}

/// One finished client operation, for latency figures.
public struct Completion: Hashable, Sendable {
    /// When it finished, in simulated nanoseconds.
    public var time: UInt64
    /// How long it took.
    public var latency: UInt64
    /// Whether it was a write (anything but a read).
    public var isWrite: Bool
}
