import ColonyStorage

/// The manifest's check of an encrypted backup's key: 16 zero bytes sealed with it, under a
/// nonce taken from the backup's id (random for every backup, and never a file's nonce, which
/// is drawn anew for each file), so a wrong key is named before any file is opened.
public enum BackupKeyCheck {
    /// The bytes of a key check: the sealed zeros and their tag.
    public static let bytes = 16 + Sealer.overheadBytes
    static let context = Array("CLNYBKKC".utf8)

    /// The key check of backup `backupID` (16 bytes), sealed with `sealer`'s key, in hexadecimal.
    public static func make(backupID: [UInt8], sealer: Sealer) -> String {
        BackupHex.encode(sealer.seal(Array(repeating: 0, count: 16), nonce: nonce(backupID), context: context))
    }

    /// Whether `check` opens with `sealer`'s key to the 16 zero bytes.
    static func opens(_ check: String, backupID: [UInt8], sealer: Sealer) -> Bool {
        guard backupID.count == BackupID.bytes, let sealed = BackupHex.decode(check), sealed.count == bytes,
              let opened = sealer.open(sealed[...], nonce: nonce(backupID), context: context)
        else { return false }
        return opened.allSatisfy { $0 == 0 } && opened.count == 16
    }

    private static func nonce(_ backupID: [UInt8]) -> [UInt8] {
        Array(backupID.prefix(Sealer.nonceBytes))
    }
}
