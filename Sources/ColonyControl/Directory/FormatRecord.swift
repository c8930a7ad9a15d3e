import ColonyCore

/// The format level every node of the colony writes (see `FormatLevel`), kept in the
/// directory under `ColonyDirectory.formatsKey`; level 1 while there is none. Written by
/// `colony upgrade finish` once every node reads the new level, and never lowered.
public struct FormatRecord: Codable, Hashable, Sendable {
    /// The level's number.
    public var level: Int

    /// The record of `level`.
    public init(level: FormatLevel) {
        self.level = level.number
    }

    /// The level, if this build knows it.
    public var formatLevel: FormatLevel? { FormatLevel(level) }

    /// What is wrong with the record, or nil: a level this build does not know (a node
    /// accepts no record it could not write itself).
    public var problem: String? {
        formatLevel == nil ? "format level \(level) is unknown to this build, which knows levels \(FormatLevel.known.lowerBound)-\(FormatLevel.known.upperBound)" : nil
    }
}
