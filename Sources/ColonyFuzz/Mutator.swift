import ColonyCore

/// Makes hostile inputs out of valid ones, from a seeded generator: the same seed and corpus
/// give the same inputs, so any input a campaign ran can be made again from its number.
///
/// Each mutation is one of the edits that break decoders: flipped bits, bytes set to the
/// values at the edges of a field (0, 0x7F, 0x80, 0xFF), fixed-width integers set to their
/// boundaries (a length field of 0, 1, 2³¹ or all ones, little-endian or as a varint),
/// bytes cut away, inserted or appended, a span copied from elsewhere, and a splice of two
/// corpus inputs. An input gets one to `editsMax` of them, so most stay close enough to
/// valid to reach deep into a decoder.
public struct Mutator {
    /// The most edits applied to one input.
    public static let editsMax = 6
    /// The longest input a mutation grows, in bytes: decoders' own limits are far below
    /// what this bounds, it only keeps a campaign's memory flat.
    public static let inputBytesMax = 1 << 20

    private var random: SplitMix64

    /// Makes a mutator drawing from `seed`.
    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// A number below `bound` (which must be positive).
    public mutating func below(_ bound: Int) -> Int {
        Int(random.next() % UInt64(bound))
    }

    /// One of `choices`, which must not be empty.
    public mutating func pick<Element>(_ choices: [Element]) -> Element {
        choices[below(choices.count)]
    }

    /// A mutation of `input`, drawing splice partners from `corpus`.
    public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + below(Self.editsMax)) {
            edit(&bytes, corpus: corpus)
        }
        if bytes.count > Self.inputBytesMax { bytes.removeLast(bytes.count - Self.inputBytesMax) }
        return bytes
    }

    private mutating func edit(_ bytes: inout [UInt8], corpus: [[UInt8]]) {
        guard !bytes.isEmpty else {
            bytes = (0..<(1 + below(16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            return
        }
        switch below(10) {
        case 0, 1:
            bytes[below(bytes.count)] ^= UInt8(1) << UInt8(below(8))
        case 2:
            bytes[below(bytes.count)] = pick([0, 1, 0x7F, 0x80, 0xFE, 0xFF])
        case 3:
            overwriteInteger(&bytes)
        case 4:
            bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
        case 5:
            bytes.removeLast(1 + below(min(bytes.count, 64)))
        case 6:
            let start = below(bytes.count)
            bytes.removeSubrange(start..<min(bytes.count, start + 1 + below(16)))
        case 7:
            let filler = pick([0, 0xFF, UInt8(truncatingIfNeeded: random.next())])
            bytes.insert(contentsOf: repeatElement(filler, count: 1 + below(16)), at: below(bytes.count + 1))
        case 8:
            copySpan(&bytes)
        default:
            splice(&bytes, with: corpus.isEmpty ? bytes : pick(corpus))
        }
    }

    /// Sets 1, 2, 4 or 8 bytes to a boundary integer, or writes a varint of one.
    private mutating func overwriteInteger(_ bytes: inout [UInt8]) {
        let boundaries: [UInt64] = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
                                    0x7FFF_FFFF_FFFF_FFFF, UInt64.max, UInt64.max - 1]
        var value = pick(boundaries)
        if below(4) == 0 { value = UInt64(bytes.count) &+ UInt64(below(3)) &- 1 }
        let encoded: [UInt8]
        if below(3) == 0 {
            encoded = Self.varint(value)
        } else {
            let width = pick([1, 2, 4, 8])
            encoded = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        let start = below(bytes.count)
        for (index, byte) in encoded.enumerated() where start + index < bytes.count {
            bytes[start + index] = byte
        }
    }

    /// Copies a span of the input over another place in it (repeating a field or a record).
    private mutating func copySpan(_ bytes: inout [UInt8]) {
        let from = below(bytes.count)
        let span = Array(bytes[from..<min(bytes.count, from + 1 + below(64))])
        let to = below(bytes.count + 1)
        if below(2) == 0 {
            bytes.insert(contentsOf: span, at: to)
        } else {
            for (index, byte) in span.enumerated() where to + index < bytes.count {
                bytes[to + index] = byte
            }
        }
    }

    /// The input up to a point, then another input from a point.
    private mutating func splice(_ bytes: inout [UInt8], with other: [UInt8]) {
        let cut = below(bytes.count + 1)
        let otherCut = other.isEmpty ? 0 : below(other.count)
        bytes = Array(bytes[..<cut]) + other[otherCut...]
    }

    /// The LEB128 varint of `value`.
    static func varint(_ value: UInt64) -> [UInt8] {
        var remaining = value
        var bytes: [UInt8] = []
        repeat {
            let low = UInt8(remaining & 0x7F)
            remaining >>= 7
            bytes.append(remaining == 0 ? low : low | 0x80)
        } while remaining != 0
        return bytes
    }
}
