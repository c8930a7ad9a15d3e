/// ColonyWire: the binary encoding of Colony's values.
///
/// The same bytes go into each node's write-ahead log and, later, into the frames between
/// nodes, so the format is written down here and never changes meaning once shipped.
///
/// The format, in full:
/// - Unsigned numbers that are usually small (slots, epochs, rounds, revisions, node ids,
///   lengths, counts) are unsigned LEB128 varints: 7 bits a byte, low bits first, at most
///   10 bytes, and never longer than needed (`0x80 0x00` is refused).
/// - Signed numbers (`Int`, `Int64`) are zigzag-mapped to unsigned and then written as varints,
///   so -1 is `0x01` and 1 is `0x02`.
/// - Numbers that are usually large and random (`ClientID`) are fixed-width little-endian.
/// - A `Bool` is one byte, `0x00` or `0x01`; any other byte is refused.
/// - An optional is a presence byte (`0x00` absent, `0x01` present) followed by the value.
/// - A byte string or a UTF-8 string is a varint length followed by that many bytes; a string
///   must be valid UTF-8. Every length is checked against a named `WireLimits` maximum and
///   against the bytes that remain before anything is allocated.
/// - A list is a varint count followed by the elements; dictionaries are lists in ascending
///   key order, so one value has one encoding, and a decoder refuses any other order.
/// - A struct is its fields in declaration order, with no framing of its own.
/// - An enum is a one-byte tag from the tables in `WireTags.swift`, followed by the case's
///   associated values in order. Tags start at 1; 0 is never a tag, so zeroed bytes are refused.
///
/// Because every encoding is self-delimiting and canonical, a decoder that succeeds has read
/// exactly the bytes the encoder would write for the value it returns, and a strict prefix of
/// a valid encoding never decodes.
public protocol WireEncodable {
    /// Appends the value's canonical encoding to `writer`.
    func encode(into writer: inout ByteWriter)
}

/// A value that can be rebuilt from untrusted bytes; see `WireEncodable` for the format.
///
/// A decoder never trusts its input: it checks every length against the reader's limits and
/// the bytes that remain, rebuilds core values through their validating initializers, and
/// throws a `WireError` saying what it was reading, where, and what was wrong.
public protocol WireDecodable {
    /// Reads one value from `reader`, leaving the reader just past it.
    init(from reader: inout ByteReader) throws(WireError)
}

/// A value that can be both encoded and decoded.
public typealias WireCodable = WireEncodable & WireDecodable
