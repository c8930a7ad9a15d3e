/// Little-endian fixed-width fields, for the fixed headers of storage files. (Variable
/// values, the records' contents, are ColonyWire's business.)
extension Array where Element == UInt8 {
    mutating func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// The integer stored little-endian at `offset`, or nil if the bytes end first.
    func littleEndian<Value: FixedWidthInteger>(_: Value.Type, at offset: Int) -> Value? {
        let width = MemoryLayout<Value>.size
        guard offset >= startIndex, offset + width <= endIndex else { return nil }
        var value: Value = 0
        for index in 0..<width {
            value |= Value(self[offset + index]) << (8 * index)
        }
        return value
    }
}
