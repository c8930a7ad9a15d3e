/// A run of many inputs through one target, from a seed.
///
/// Input `n` of the campaign of seed `s` is the same on every run (`FuzzTarget.input`), so
/// a campaign is replayed in part by its seed and a range of input numbers. The campaign
/// runs in the caller's process: a trap ends it, and the caller learns which batch was
/// running from `beforeBatch`, called before each batch of `batchInputs` inputs (the
/// `colony fuzz` command writes the replay command to a file there). Replaying that batch
/// with `beforeInput` set keeps each input before it runs, so the one that traps is left.
public struct FuzzCampaign: Sendable {
    /// The inputs between two `beforeBatch` calls.
    public static let batchInputs: UInt64 = 4_096
    /// The most violations a report keeps in full; the rest are only counted.
    public static let violationsKeptMax = 10

    /// The target run.
    public let target: FuzzTarget
    /// The seed the inputs are made from.
    public let seed: UInt64

    /// Makes a campaign of `target` from `seed`.
    public init(target: FuzzTarget, seed: UInt64) {
        self.target = target
        self.seed = seed
    }

    /// Runs inputs `first ..< first + count`.
    public func run(
        from first: UInt64 = 0, count: UInt64,
        beforeBatch: (Range<UInt64>) -> Void = { _ in },
        beforeInput: ((UInt64, [UInt8]) -> Void)? = nil
    ) -> FuzzReport {
        var report = FuzzReport(target: target.name, seed: seed, first: first)
        let clock = ContinuousClock()
        let started = clock.now
        var batchStart = first
        let end = first + count
        while batchStart < end {
            let batch = batchStart..<min(end, batchStart + Self.batchInputs)
            beforeBatch(batch)
            for index in batch {
                let input = target.input(index, seed: seed)
                beforeInput?(index, input)
                report.count(target.run(input), index: index, input: input)
            }
            batchStart = batch.upperBound
        }
        let elapsed = (clock.now - started).components
        report.seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return report
    }
}

/// An input a target decoded into something wrong.
public struct FuzzViolation: Hashable, Sendable {
    /// The input's number in its campaign.
    public var index: UInt64
    /// What is wrong.
    public var reason: String
    /// The input.
    public var input: [UInt8]
}

/// What a campaign found.
public struct FuzzReport: Sendable {
    /// The target's name.
    public var target: String
    /// The campaign's seed.
    public var seed: UInt64
    /// The number of the first input run.
    public var first: UInt64
    /// Inputs run.
    public var inputs = 0
    /// Inputs decoded.
    public var decoded = 0
    /// Inputs refused with an error.
    public var refused = 0
    /// Inputs decoded into something wrong.
    public var violationCount = 0
    /// The first `FuzzCampaign.violationsKeptMax` violations.
    public var violations: [FuzzViolation] = []
    /// Wall-clock seconds the inputs took.
    public var seconds = 0.0

    init(target: String, seed: UInt64, first: UInt64) {
        self.target = target
        self.seed = seed
        self.first = first
    }

    /// Inputs run per second.
    public var inputsPerSecond: Double { seconds > 0 ? Double(inputs) / seconds : 0 }

    mutating func count(_ outcome: FuzzOutcome, index: UInt64, input: [UInt8]) {
        inputs += 1
        switch outcome {
        case .decoded:
            decoded += 1
        case .refused:
            refused += 1
        case .violated(let reason):
            violationCount += 1
            if violations.count < FuzzCampaign.violationsKeptMax {
                violations.append(FuzzViolation(index: index, reason: reason, input: input))
            }
        }
    }
}
