/// The layout of a backup folder and the limits a reader holds every backup to.
///
/// ```
/// DIR/manifest.json          what the backup holds (`BackupManifest`), JSON
/// DIR/cells/00000001.cell    one cell's keys at one revision (`CellArchive`), binary
/// DIR/cells/00000002.cell    ...
/// ```
///
/// Every byte of a backup is read as untrusted: a file is refused above its limit before it
/// is read whole, and every length inside one is bounded by ColonyWire's limits.
public enum BackupFormat {
    /// The version of the folder's layout, the manifest and the cell files this program
    /// writes, and the only one it reads.
    public static let version = 1
    /// The manifest's name inside the folder.
    public static let manifestName = "manifest.json"
    /// The folder of cell files inside the backup's folder.
    public static let cellFolder = "cells"
    /// The largest manifest read, in bytes: some 300 bytes a cell for `cellsMax` cells.
    public static let manifestBytesMax = 64 * 1024 * 1024
    /// The most cells one backup holds.
    public static let cellsMax = 200_000
    /// The largest cell file read, in bytes: a cell at the colony's largest quota (8 MiB of
    /// keys and values, 100,000 keys) with each key's version and lengths.
    public static let cellFileBytesMax = 16 * 1024 * 1024
    /// The digits of a cell file's number.
    static let fileNumberDigits = 8

    /// The name, inside the backup's folder, of the `index`th cell file (from 1).
    public static func cellFileName(_ index: Int) -> String {
        let digits = String(index)
        return cellFolder + "/" + String(repeating: "0", count: max(0, fileNumberDigits - digits.count)) + digits + ".cell"
    }

    /// Whether `name` is a name `cellFileName` makes: a manifest naming any other file (a
    /// path outside the folder, say) is refused.
    public static func isCellFileName(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        let prefix = Array((cellFolder + "/").utf8)
        let suffix = Array(".cell".utf8)
        guard utf8.count == prefix.count + fileNumberDigits + suffix.count,
              utf8.starts(with: prefix), utf8.suffix(suffix.count).elementsEqual(suffix)
        else { return false }
        return utf8[prefix.count..<(prefix.count + fileNumberDigits)].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
