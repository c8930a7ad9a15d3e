import ColonyWire

/// The files of a data directory as one fuzz input: a count, then each file's name and
/// bytes, in ColonyWire's encoding. Storage targets mutate the files inside, not the image.
struct DirectoryImage: Hashable {
    /// The files, by name.
    var files: [String: [UInt8]]

    /// The image of `files`.
    init(files: [String: [UInt8]]) {
        self.files = files
    }

    /// Reads an image; nil if the bytes are not one (then the input is not a directory).
    init?(_ bytes: [UInt8]) {
        var reader = ByteReader(bytes, limits: WireLimits(valueBytesMax: Mutator.inputBytesMax))
        guard let count = try? reader.readLength("files", limit: .listCountMax) else { return nil }
        var files: [String: [UInt8]] = [:]
        for _ in 0..<count {
            guard let name = try? reader.readString("name"), let contents = try? reader.readByteString("contents") else { return nil }
            files[name] = contents
        }
        guard reader.isAtEnd else { return nil }
        self.files = files
    }

    /// The image's bytes, files in name order.
    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.writeVarint(UInt64(files.count))
        for (name, contents) in files.sorted(by: { $0.key < $1.key }) {
            writer.writeString(name)
            writer.writeByteString(contents)
        }
        return writer.bytes
    }
}
