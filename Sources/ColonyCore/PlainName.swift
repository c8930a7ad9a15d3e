/// The bytes of a plain name: ASCII letters, digits, `-`, `_` and `.`. Failure-domain names
/// (a node's zone, rack and color) and the ids clients give their calls are made of them
/// only; a cell's name may also hold `/` and `:`.
public enum PlainName {
    /// Whether `byte` is one a plain name may hold.
    public static func allows(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// Whether every byte of `name` is one a plain name may hold (an empty name passes: its
    /// length is each caller's own rule).
    public static func isPlain(_ name: String) -> Bool {
        name.utf8.allSatisfy(allows)
    }
}
