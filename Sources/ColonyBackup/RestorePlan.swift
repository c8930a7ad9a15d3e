import ColonyCore

/// What `colony restore` does with each cell of a backup, decided apart from any IO.
///
/// A user cell absent from the colony is created (on nodes the colony's placer chooses, with
/// the quota and placement request it was backed up with) and its keys written; one that
/// exists is left alone unless the operator asked to overwrite it. The colony's own cells
/// (`_directory`) are never written back whole: their node records and placements describe
/// the old colony's machines, and a new colony keeps its own; the backup keeps them to read.
public enum RestoreStep: Hashable, Sendable {
    /// Create the cell, then restore its keys at their versions and the backup's revision.
    case create
    /// The cell exists: make its keys the backup's (delete the others, write the backup's);
    /// the cell keeps its own revisions, since it has a history of its own.
    case overwrite
    /// The cell exists and overwriting was not asked for: leave it, and say so.
    case keepExisting
    /// A reserved cell: not restored.
    case skipReserved

    /// The step for `cell`, given whether the colony has it and whether overwriting was asked.
    public static func choose(cell: String, exists: Bool, overwrite: Bool) -> RestoreStep {
        if cell.hasPrefix("_") { return .skipReserved }
        switch (exists, overwrite) {
        case (false, _): return .create
        case (true, true): return .overwrite
        case (true, false): return .keepExisting
        }
    }
}

/// The writes that give a cell a backup's keys, in batches each small enough for one
/// transaction: at most `stepsMax` steps and, unless one value alone is larger, `bytesMax`
/// bytes of keys and values.
public struct RestoreBatches: Sendable {
    /// One write of a batch.
    public enum Write: Hashable, Sendable {
        /// Write a key.
        case put(key: String, value: [UInt8])
        /// Delete a key the backup does not hold.
        case delete(key: String)

        var byteCount: Int {
            switch self {
            case .put(let key, let value): key.utf8.count + value.count
            case .delete(let key): key.utf8.count
            }
        }
    }

    /// The batches, in order: deletions first (so the cell never holds more keys than
    /// either the backup or what it held), then the backup's keys in key order.
    public let batches: [[Write]]

    /// The batches that turn a cell holding `existingKeys` into one holding `archive`'s keys.
    public init(archive: CellArchive, existingKeys: [String], stepsMax: Int, bytesMax: Int) {
        precondition(stepsMax >= 1 && bytesMax >= 1, "Invalid state: a batch must hold at least one write")
        // Keys match by their bytes, as the cell matches them (`Key`), not by `String`'s Unicode equivalence.
        let kept = Set(archive.items.map { Key($0.key) })
        let writes = existingKeys.filter { !kept.contains(Key($0)) }.map { Write.delete(key: $0) }
            + archive.items.map { Write.put(key: $0.key, value: $0.value) }
        batches = RestoreChunks.split(writes, stepsMax: stepsMax, bytesMax: bytesMax, byteCount: \.byteCount)
    }
}

/// The parts that restore a backed-up cell into a new, never written cell, each at most
/// `stepsMax` keys and, unless one value alone is larger, `bytesMax` bytes of keys and
/// values, in ascending key order (the cell's order: by the keys' bytes). The cell takes the
/// backup's revision with the first part, and each key its version: a cell whose keys were
/// all deleted before the backup still has one part, with no keys, that carries its revision;
/// a cell never written has none.
public struct RestoreParts: Sendable {
    /// The revision the backup read the cell at.
    public let revision: UInt64
    /// The parts, in order.
    public let parts: [[CellArchive.Item]]

    /// The parts of `archive`.
    public init(archive: CellArchive, stepsMax: Int, bytesMax: Int) {
        precondition(stepsMax >= 1 && bytesMax >= 1, "Invalid state: a part must hold at least one key")
        revision = archive.revision
        let sorted = archive.items.sorted { Key($0.key) < Key($1.key) }
        let parts = RestoreChunks.split(sorted, stepsMax: stepsMax, bytesMax: bytesMax) { $0.key.utf8.count + $0.value.count }
        self.parts = parts.isEmpty && archive.revision > 0 ? [[]] : parts
    }
}

/// Splitting a restore's writes into requests.
enum RestoreChunks {
    /// `items` in order, cut into runs of at most `stepsMax` items and, unless one item alone
    /// is larger, `bytesMax` bytes as `byteCount` counts them.
    static func split<Item>(_ items: [Item], stepsMax: Int, bytesMax: Int, byteCount: (Item) -> Int) -> [[Item]] {
        var chunks: [[Item]] = []
        var current: [Item] = []
        var currentBytes = 0
        for item in items {
            let bytes = byteCount(item)
            if !current.isEmpty, current.count == stepsMax || currentBytes + bytes > bytesMax {
                chunks.append(current)
                current = []
                currentBytes = 0
            }
            current.append(item)
            currentBytes += bytes
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }
}
