import Crypto
import Foundation

/// The key that seals a node's log and snapshots at rest (AES-256-GCM).
public struct StorageKey: Sendable {
    private let bytes: [UInt8]

    /// The key as CryptoKit wants it.
    var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// Wraps 32 raw key bytes.
    public init(bytes: [UInt8]) throws(StorageError) {
        guard bytes.count == 32 else {
            throw .badKey("a storage key is 32 bytes (256 bits), not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Reads a key file: 32 raw bytes, or 64 hexadecimal digits (surrounding whitespace is ignored).
    public init(file path: String) throws(StorageError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .badKey("cannot read the key file \(path)")
        }
        let bytes = [UInt8](data)
        if bytes.count == 32 {
            try self.init(bytes: bytes)
            return
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let decoded = Self.hexadecimal(text) else {
            throw .badKey("the key file \(path) must hold 32 raw bytes or 64 hexadecimal digits")
        }
        try self.init(bytes: decoded)
    }

    private static func hexadecimal(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let value: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return bytes
    }
}

/// Seals and opens payloads with the node's key, or passes them through when there is none:
/// the log's records, snapshots, and the files of a backup (ColonyBackup).
public struct Sealer: Sendable {
    /// The key, or nil to pass payloads through as they are.
    public let key: StorageKey?

    /// Seals with `key`, or passes through when it is nil.
    public init(key: StorageKey?) {
        self.key = key
    }

    /// Whether payloads are sealed.
    public var isSealing: Bool { key != nil }

    /// Bytes a sealed payload adds: the GCM tag (the nonce is never stored beside it).
    public static let overheadBytes = 16

    /// The bytes of a nonce.
    public static let nonceBytes = 12

    /// Seals `plaintext` with `nonce` (`nonceBytes` long, never used twice with one key),
    /// binding `context` (the record's header) to it.
    public func seal(_ plaintext: [UInt8], nonce: [UInt8], context: [UInt8]) -> [UInt8] {
        guard let key else { return plaintext }
        do {
            let box = try AES.GCM.seal(plaintext, using: key.key, nonce: try AES.GCM.Nonce(data: nonce), authenticating: context)
            return [UInt8](box.ciphertext) + [UInt8](box.tag)
        } catch {
            // Only a nonce of the wrong size fails here, and every nonce is built 12 bytes long.
            preconditionFailure("Invalid state: AES-GCM refused to seal: \(error)")
        }
    }

    /// Opens what `seal` made; nil when the key is wrong or the bytes were changed.
    public func open(_ sealed: ArraySlice<UInt8>, nonce: [UInt8], context: [UInt8]) -> ArraySlice<UInt8>? {
        guard let key else { return sealed }
        guard sealed.count >= Self.overheadBytes else { return nil }
        do {
            let box = try AES.GCM.SealedBox(
                nonce: try AES.GCM.Nonce(data: nonce), ciphertext: sealed.dropLast(Self.overheadBytes),
                tag: sealed.suffix(Self.overheadBytes))
            return ArraySlice(try AES.GCM.open(box, using: key.key, authenticating: context))
        } catch {
            return nil
        }
    }
}
