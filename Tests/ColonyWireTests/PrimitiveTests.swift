import ColonyCore
import ColonyWire
import Testing

@Suite("the primitive reads refuse every malformed form")
struct PrimitiveTests {
    func varint(_ bytes: [UInt8]) throws(WireError) -> UInt64 {
        var reader = ByteReader(bytes)
        let value = try reader.readVarint("test")
        try reader.finish("test")
        return value
    }

    @Test("varints take the fewest bytes and read back at every length boundary")
    func varintBoundaries() throws {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (127, [0x7F]), (128, [0x80, 0x01]), (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]),
            (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, encoding) in cases {
            var writer = ByteWriter()
            writer.writeVarint(value)
            #expect(writer.bytes == encoding)
            #expect(try varint(encoding) == value)
        }
    }

    @Test("a varint past 64 bits, past 10 bytes, or longer than needed is refused")
    func malformedVarints() {
        let tooBig: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
        let tooLong: [UInt8] = Array(repeating: 0x80, count: 10) + [0x01]
        let overlong: [UInt8] = [0x80, 0x00]
        let overlongTen: [UInt8] = Array(repeating: 0x80, count: 9) + [0x00]
        for input in [tooBig, tooLong, overlong, overlongTen] {
            #expect(throws: WireError.malformedVarint(field: "test", offset: 0)) { try varint(input) }
        }
        #expect(throws: WireError.truncated(field: "test", offset: 1, neededBytes: 1, remainingBytes: 0)) { try varint([0x80]) }
    }

    @Test("zigzag keeps the extremes of Int64")
    func zigzag() throws {
        for value in [Int64.min, Int64.min + 1, -1, 0, 1, Int64.max] {
            var writer = ByteWriter()
            writer.writeSignedVarint(value)
            var reader = ByteReader(writer.bytes)
            #expect(try reader.readSignedVarint("test") == value)
            #expect(reader.isAtEnd)
        }
    }

    @Test("fixed-width integers are little-endian and need all their bytes")
    func littleEndian() throws {
        var writer = ByteWriter()
        writer.writeLittleEndian(UInt32(0x0A0B_0C0D))
        #expect(writer.bytes == [0x0D, 0x0C, 0x0B, 0x0A])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readLittleEndian(UInt32.self, "test") == 0x0A0B_0C0D)
        var short = ByteReader([1, 2, 3])
        #expect(throws: WireError.truncated(field: "test", offset: 0, neededBytes: 8, remainingBytes: 3)) {
            try short.readLittleEndian(UInt64.self, "test")
        }
    }

    @Test("a boolean is 0 or 1 and nothing else")
    func booleans() throws {
        var reader = ByteReader([0, 1, 2])
        #expect(try reader.readBool("flag") == false)
        #expect(try reader.readBool("flag") == true)
        #expect(throws: WireError.invalidBool(field: "flag", offset: 2, byte: 2)) { try reader.readBool("flag") }
    }

    @Test("a string must be valid UTF-8")
    func utf8() {
        for invalid: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            var reader = ByteReader([UInt8(invalid.count)] + invalid)
            #expect(throws: WireError.invalidUTF8(field: "text", offset: 1)) { try reader.readString("text") }
        }
        var reader = ByteReader([0x02, 0xC3, 0xA9])
        #expect((try? reader.readString("text")) == "é")
    }

    @Test("bytes left after a whole value are refused, and the error says how many")
    func trailingBytes() {
        let encoding = WireCodec.encode(DurableRecord.healed) + [0, 0]
        let error = decodingError(DurableRecord.self, encoding)
        #expect(error == .trailingBytes(field: "DurableRecord", offset: 1, count: 2))
    }

    @Test("an unknown tag is refused with its value and position")
    func unknownTags() {
        #expect(decodingError(DurableRecord.self, [0]) == .unknownTag(field: "DurableRecord", offset: 0, tag: 0))
        #expect(decodingError(DurableRecord.self, [8]) == .unknownTag(field: "DurableRecord", offset: 0, tag: 8))
    }
}
