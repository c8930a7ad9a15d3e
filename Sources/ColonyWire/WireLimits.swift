/// The maxima a decoder enforces on untrusted input, each with its unit last.
///
/// They sit well above ColonyCore's `CellLimits` defaults so that any value a cell accepts
/// also decodes; their job is to refuse absurd lengths (a field claiming 4 GB) before a single
/// byte is allocated, not to enforce a cell's own limits, which the cell does itself.
public struct WireLimits: Hashable, Sendable {
    /// The longest key, in UTF-8 bytes.
    public var keyBytesMax: Int
    /// The largest stored value (a byte string), in bytes.
    public var valueBytesMax: Int
    /// The longest other text (a cell name), in UTF-8 bytes.
    public var stringBytesMax: Int
    /// The most elements one list may declare.
    public var listCountMax: Int
    /// The most list elements one decode may declare across all its lists together: the
    /// budget that bounds nested lists, whose in-memory size outgrows their encoding.
    public var elementsTotalMax: Int

    /// Makes a set of limits; the defaults fit any cell within ColonyCore's default limits with room to spare.
    public init(
        keyBytesMax: Int = 1024,
        valueBytesMax: Int = 1024 * 1024,
        stringBytesMax: Int = 1024,
        listCountMax: Int = 1_000_000,
        elementsTotalMax: Int = 2_000_000
    ) {
        self.keyBytesMax = keyBytesMax
        self.valueBytesMax = valueBytesMax
        self.stringBytesMax = stringBytesMax
        self.listCountMax = listCountMax
        self.elementsTotalMax = elementsTotalMax
    }

    /// The limits decoders use unless told otherwise.
    public static let standard = WireLimits()

    /// The value of the limit called `name`.
    public subscript(name: WireLimitName) -> Int {
        switch name {
        case .keyBytesMax: return keyBytesMax
        case .valueBytesMax: return valueBytesMax
        case .stringBytesMax: return stringBytesMax
        case .listCountMax: return listCountMax
        case .elementsTotalMax: return elementsTotalMax
        }
    }
}

/// The name of one `WireLimits` maximum, so an error can say which limit refused the input.
public enum WireLimitName: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// `WireLimits.keyBytesMax`.
    case keyBytesMax
    /// `WireLimits.valueBytesMax`.
    case valueBytesMax
    /// `WireLimits.stringBytesMax`.
    case stringBytesMax
    /// `WireLimits.listCountMax`.
    case listCountMax
    /// `WireLimits.elementsTotalMax`.
    case elementsTotalMax

    /// The limit's property name, as an operator would look it up.
    public var description: String { rawValue }
}
