import ColonyCheck

/// What one chaos run came to: its figures, and whether the colony kept every promise.
struct ChaosOutcome: Sendable {
    var seed: UInt64
    /// Operations in the history (invokes), and how they ended.
    var operations = 0
    var succeeded = 0
    var failed = 0
    var unknown = 0
    /// Of the failed operations, the compare-and-sets whose condition did not hold.
    var mismatches = 0
    /// The p99.9 latency of the operations that ended, over the whole run.
    var latencyP999: Duration = .zero
    /// The faults put on nodes, by kind.
    var faults: [ChaosFaultKind: Int] = [:]
    /// The kinds of fault the run's colony could take, each named in its line (0 too).
    var kinds: [ChaosFaultKind] = ChaosFaultKind.processKinds
    /// Scheduled faults left out because their hold would have broken too many nodes at once
    /// (a node restarted more slowly than the schedule allowed for).
    var faultsSkipped = 0
    /// How many times the watch's surveys found a cell of the load led by a new node.
    var leaderChanges = 0
    /// The stop condition that aborted the run, if one fired.
    var stop: ChaosStop?
    /// Whether every node served again after the faults were healed.
    var healed = true
    /// Keys judged for lost writes, and those of them whose final read failed.
    var keysChecked = 0
    var keysUnread = 0
    /// Partitions the linearizability checker found not linearizable, or gave up on.
    var violations = 0
    var undecided = 0
    /// Why the history is not well formed, if it is not.
    var invalidHistory: String?
    /// Acknowledged writes the final reads show lost.
    var lostWrites = 0
    /// The run's time, colony start and stop included.
    var duration: Duration = .zero
    /// Each violation, undecided partition, lost write and unread key, one line each.
    var findings: [String] = []

    /// The exit status the run alone would end with: a violation, a lost write or a history
    /// that is not well formed is a failure; a check that gave up is undecided; a colony that
    /// did not heal, or keys that could not be read back, leave it unavailable. An abort by a
    /// stop condition is a finding, reported, not a failure.
    var status: ExitStatus {
        if violations > 0 || lostWrites > 0 || invalidHistory != nil { return .failure }
        if undecided > 0 { return .undecided }
        if !healed || keysUnread > 0 { return .unavailable }
        return .success
    }

    /// The one line a run ends with.
    var line: String {
        let aborted = stop.map { "aborted by \($0.name) (\($0))" } ?? "not aborted"
        let parts = [
            "\(operations) operations (\(succeeded) ok, \(failed) failed of which \(mismatches) compare-and-set mismatches, \(unknown) unknown)",
            "p99.9 \(Format.rounded(latencyP999))",
            "faults \(ChaosOutcome.faultsText(faults, kinds: kinds, skipped: faultsSkipped))",
            "\(leaderChanges) new leaders seen",
            aborted,
            healed ? "healed" : "NOT HEALED",
            "\(keysChecked - keysUnread) of \(keysChecked) keys read back",
            "\(violations) violations" + (undecided > 0 ? " (\(undecided) undecided)" : "")
                + (invalidHistory.map { " (history not well formed: \($0))" } ?? ""),
            "\(lostWrites) lost acknowledged writes",
            Format.rounded(duration),
        ]
        return "chaos seed \(seed): " + parts.joined(separator: ", ") + ": " + (status == .success ? "PASS" : "FAIL (\(status.name))")
    }

    /// The run as a JSON object.
    var json: [String: Any] {
        var object: [String: Any] = [
            "seed": seed, "operations": operations, "ok": succeeded, "failed": failed, "unknown": unknown,
            "compare_and_set_mismatches": mismatches, "p999_milliseconds": latencyP999.seconds * 1_000,
            "faults": Dictionary(uniqueKeysWithValues: faults.map { ($0.key.rawValue, $0.value) }), "faults_skipped": faultsSkipped, "leader_changes": leaderChanges,
            "aborted": stop != nil, "healed": healed, "keys_checked": keysChecked, "keys_unread": keysUnread,
            "violations": violations, "undecided": undecided, "lost_acknowledged_writes": lostWrites,
            "seconds": duration.seconds, "status": status.name,
        ]
        if let stop {
            object["stop_condition"] = stop.name
            object["stop_reason"] = stop.description
        }
        if let invalidHistory { object["invalid_history"] = invalidHistory }
        if !findings.isEmpty { object["findings"] = findings }
        return object
    }

    /// "kill 2 pause 3" in kind order (every kind of `kinds` or of `faults` named, 0 too), and
    /// the skipped ones if any.
    static func faultsText(_ faults: [ChaosFaultKind: Int], kinds: [ChaosFaultKind], skipped: Int) -> String {
        Set(kinds + faults.keys).sorted().map { "\($0.rawValue) \(faults[$0, default: 0])" }.joined(separator: " ")
            + (skipped > 0 ? " (\(skipped) skipped)" : "")
    }
}

/// What a series of chaos runs came to, in one line.
struct ChaosSummary: Sendable {
    var outcomes: [ChaosOutcome]
    /// The series' time.
    var duration: Duration

    /// The worst status of any run.
    var status: ExitStatus {
        let order: [ExitStatus] = [.failure, .undecided, .unavailable]
        return order.first { worst in outcomes.contains { $0.status == worst } } ?? .success
    }

    private func total(_ figure: (ChaosOutcome) -> Int) -> Int {
        outcomes.reduce(0) { $0 + figure($1) }
    }

    private var faults: [ChaosFaultKind: Int] {
        outcomes.reduce(into: [:]) { sum, outcome in sum.merge(outcome.faults, uniquingKeysWith: +) }
    }

    /// The conditions that aborted runs, each with how many it aborted.
    private var aborts: String {
        let counts = outcomes.compactMap(\.stop?.name).reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        return counts.isEmpty ? "" : " (" + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
    }

    /// The line a series ends with.
    var line: String {
        let passed = outcomes.filter { $0.status == .success }.count
        let seeds = outcomes.map(\.seed)
        let range = seeds.count == 1 ? "seed \(seeds[0])" : "seeds \(seeds.min() ?? 0)-\(seeds.max() ?? 0)"
        let parts = [
            "\(outcomes.count) runs (\(range))",
            "\(total(\.operations)) operations (\(total(\.succeeded)) ok, \(total(\.failed)) failed, \(total(\.unknown)) unknown)",
            "faults \(ChaosOutcome.faultsText(faults, kinds: outcomes.flatMap(\.kinds), skipped: total(\.faultsSkipped)))",
            "\(total(\.leaderChanges)) new leaders seen",
            "\(outcomes.filter { $0.stop != nil }.count) aborted" + aborts,
            "\(outcomes.filter { !$0.healed }.count) not healed",
            "\(total(\.keysUnread)) keys unread",
            "\(total(\.violations)) violations",
            "\(total(\.lostWrites)) lost acknowledged writes",
            Format.rounded(duration),
        ]
        return "chaos: " + parts.joined(separator: ", ") + ": \(passed) of \(outcomes.count) runs passed"
    }

    /// The series as a JSON object.
    var json: [String: Any] {
        [
            "runs": outcomes.count, "passed": outcomes.filter { $0.status == .success }.count, "operations": total(\.operations),
            "faults": Dictionary(uniqueKeysWithValues: faults.map { ($0.key.rawValue, $0.value) }),
            "leader_changes": total(\.leaderChanges), "aborted": outcomes.filter { $0.stop != nil }.count,
            "violations": total(\.violations),
            "lost_acknowledged_writes": total(\.lostWrites), "keys_unread": total(\.keysUnread), "seconds": duration.seconds,
            "status": status.name,
        ]
    }
}
