import ColonyCore

/// What one input did to a decoder.
public enum FuzzOutcome: Hashable, Sendable {
    /// The decoder accepted the input, and what it made holds its invariants.
    case decoded
    /// The decoder refused the input with an error: the right answer to garbage.
    case refused
    /// The decoder accepted the input but what it made is wrong (it does not round-trip, or
    /// breaks a bound the decoder promises): a finding, like a crash.
    case violated(String)
}

/// One decoder of untrusted bytes, with the valid inputs its hostile ones are made from.
///
/// A target runs one input and says whether it was decoded or refused; a trap (a Swift
/// runtime crash) is the failure the campaign looks for, and kills the process, so the
/// campaign leaves behind how to replay the batch it was in (see `FuzzCampaign`).
public struct FuzzTarget: Sendable {
    /// The name `colony fuzz` knows it by.
    public let name: String
    /// What it decodes, in a line.
    public let summary: String
    /// Valid inputs, made by the production encoders.
    public let corpus: [[UInt8]]
    /// Makes a hostile input from the corpus; by default, a `Mutator` mutation of one
    /// corpus input. Targets whose inputs carry checksums mutate beneath them.
    let mutate: @Sendable (inout Mutator, [[UInt8]]) -> [UInt8]
    /// Decodes one input.
    let decode: @Sendable ([UInt8]) -> FuzzOutcome

    /// Makes a target; `mutate` defaults to a plain mutation of a corpus input.
    public init(
        name: String, summary: String, corpus: [[UInt8]],
        mutate: @escaping @Sendable (inout Mutator, [[UInt8]]) -> [UInt8] = FuzzTarget.plainMutation,
        decode: @escaping @Sendable ([UInt8]) -> FuzzOutcome
    ) {
        precondition(!corpus.isEmpty, "Invalid state: a fuzz target needs at least one valid input")
        self.name = name
        self.summary = summary
        self.corpus = corpus
        self.mutate = mutate
        self.decode = decode
    }

    /// A mutation of a corpus input picked at random.
    public static func plainMutation(_ mutator: inout Mutator, _ corpus: [[UInt8]]) -> [UInt8] {
        mutator.mutate(mutator.pick(corpus), corpus: corpus)
    }

    /// Runs one input through the decoder.
    public func run(_ input: [UInt8]) -> FuzzOutcome {
        decode(input)
    }

    /// Input number `index` of the campaign of `seed`: the same on every run, so an input
    /// is made again from its number alone. Every sixteenth input is a corpus input
    /// unchanged, so the valid path (and its round trip) is checked too.
    public func input(_ index: UInt64, seed: UInt64) -> [UInt8] {
        if index % 16 == 0 {
            return corpus[Int(index / 16 % UInt64(corpus.count))]
        }
        // Mixed from the campaign's seed and the input's number, so neighbouring inputs are unrelated.
        var mixer = SplitMix64(seed: seed ^ (index &* 0xD1B5_4A32_D192_ED03))
        var mutator = Mutator(seed: mixer.next())
        return mutate(&mutator, corpus)
    }
}
