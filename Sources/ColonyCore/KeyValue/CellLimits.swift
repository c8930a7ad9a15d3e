/// The size limits of one cell. They are part of the cell's configuration, so every
/// replica enforces the same ones and computes the same results.
public struct CellLimits: Hashable, Sendable {
    /// The longest key, in UTF-8 bytes.
    public var keyBytesMax: Int
    /// The largest value, in bytes.
    public var valueBytesMax: Int
    /// The most keys the cell may hold.
    public var keysMax: Int
    /// The most bytes of keys and values together the cell may hold.
    public var cellBytesMax: Int
    /// The most conditions plus operations one transaction may carry.
    public var transactionStepsMax: Int
    /// The most client sessions the cell remembers for exactly-once writes; the least
    /// recently used is forgotten first.
    public var sessionsMax: Int

    /// Makes a set of limits.
    public init(
        keyBytesMax: Int = 256,
        valueBytesMax: Int = 16 * 1024,
        keysMax: Int = 1_000,
        cellBytesMax: Int = 1024 * 1024,
        transactionStepsMax: Int = 64,
        sessionsMax: Int = 1_024
    ) {
        self.keyBytesMax = keyBytesMax
        self.valueBytesMax = valueBytesMax
        self.keysMax = keysMax
        self.cellBytesMax = cellBytesMax
        self.transactionStepsMax = transactionStepsMax
        self.sessionsMax = sessionsMax
    }

    /// The limits a cell gets when its creator names none.
    public static let standard = CellLimits()

    /// The largest limits any cell may have. A cell at these limits still travels in one
    /// peer frame as a snapshot (16 MiB by default), and each of its values decodes within
    /// ColonyWire's default bounds (1 MiB per value); a colony may set lower maxima.
    public static let ceiling = CellLimits(
        keyBytesMax: 256, valueBytesMax: 1024 * 1024, keysMax: 100_000, cellBytesMax: 8 * 1024 * 1024,
        transactionStepsMax: 64, sessionsMax: 1_024)
}
