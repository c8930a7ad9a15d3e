import ColonyBackup
import ColonyClient
import ColonyControl
import ColonyStorage
import Foundation

/// `colony backup --to DIR`: every cell the directory records, and the directory itself,
/// each read whole through its leader at one revision, written one file per cell, then the
/// manifest.
///
/// The directory is read first, in one linearizable listing that is both its own backup and
/// the list of cells to read. Each cell is then read as of a moment after the backup began,
/// so every write acknowledged before the backup began is in it; cells are read at
/// different moments (a backup is consistent per cell, not across cells, as the colony's
/// writes never span cells). A cell deleted, or not yet created, after the directory was
/// read is left out and named.
struct BackupTaking: Sendable {
    /// The client the cells are read through.
    let client: ColonyClient
    /// Where the backup goes.
    let folder: BackupFolder
    /// Seals the cell files, when a key was given.
    let sealer: Sealer
    /// The SHA-256 of the CA the client trusts, naming the colony in the manifest.
    let caSHA256: String?
    /// How many cells are read at once.
    var cellsInFlightMax = 8

    /// What a backup did.
    struct Figures: Sendable {
        /// The manifest written.
        let manifest: BackupManifest
        /// The cells left out, and why.
        let skipped: [(cell: String, reason: String)]
        /// How long it took.
        let duration: Duration
        /// The keys written, over every cell.
        var keys: Int { manifest.cells.reduce(0) { $0 + $1.keys } }
        /// The bytes of cell files written.
        var fileBytes: Int { manifest.cells.reduce(0) { $0 + $1.fileBytes } }
    }

    /// A cell read whole, or why it was left out.
    private enum CellRead: Sendable {
        case read(CellArchive, BackupManifest.Quota)
        case gone(String)
    }

    /// A cell written to its file, or why it was left out.
    private enum CellSaved: Sendable {
        case saved(BackupManifest.Cell)
        case gone(String)
    }

    /// Takes the backup; throws when the directory or a cell that exists cannot be read, or a
    /// file cannot be written.
    func run() async throws -> Figures {
        let started = ContinuousClock.now
        let began = Self.timestamp()
        let backupID = Self.randomBytes(BackupID.bytes)
        // Read before the folder is made, so a client the colony refuses leaves no folder behind.
        let directory = try await client.readWholeCell(ColonyDirectory.cell)
        let snapshot = try DirectorySnapshot(listing: directory.items.map { ($0.key, $0.value) })
        try folder.create()
        let placements = Dictionary(snapshot.cells.map { record in
            let request = record.placement.request
            return (request.cell.name, BackupManifest.PlacementAsked(replicas: request.replicas, nearZone: request.nearZone, color: request.color))
        }, uniquingKeysWith: { first, _ in first })
        for record in snapshot.cells {
            await client.hintMembers(of: record.cell.name, at: record.clientAddresses)
        }
        // The directory records its own placement too: it is read once, first.
        let names = [ColonyDirectory.cell] + snapshot.cells.map(\.cell.name).filter { $0 != ColonyDirectory.cell }
        var entries: [BackupManifest.Cell] = []
        var skipped: [(cell: String, reason: String)] = []
        do {
            try await forEachCell(names, directory: directory) { index, name, listing in
                try await save(name, file: BackupFormat.cellFileName(index + 1), listing: listing, backupID: backupID, placement: placements[name])
            } each: { name, saved in
                switch saved {
                case .saved(let entry): entries.append(entry)
                case .gone(let reason): skipped.append((name, reason))
                }
            }
        } catch {
            throw CommandFailure(
                ExitStatus.of(error), "\(error); the backup stopped, and \(folder.path) holds no manifest: it is no backup (delete it and back up again)")
        }
        let manifest = BackupManifest(
            backupID: BackupHex.encode(backupID), colony: .init(caSHA256: caSHA256, nodes: snapshot.nodes.count), began: began,
            ended: Self.timestamp(), encrypted: sealer.isSealing,
            keyCheck: sealer.isSealing ? BackupKeyCheck.make(backupID: backupID, sealer: sealer) : nil, cells: entries.sorted { $0.cell < $1.cell })
        try folder.writeManifest(manifest)
        return Figures(manifest: manifest, skipped: skipped, duration: ContinuousClock.now - started)
    }

    /// Runs `save` for each of `names` (the directory's own listing, already made, is handed
    /// to the first), at most `cellsInFlightMax` at once, handing each outcome to `each` as it
    /// arrives.
    private func forEachCell(
        _ names: [String], directory: (items: [ColonyItem], revision: UInt64),
        save: @escaping @Sendable (Int, String, (items: [ColonyItem], revision: UInt64)?) async throws -> CellSaved,
        each: (String, CellSaved) -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: (Int, CellSaved).self) { group in
            var next = 0
            func launch() {
                guard next < names.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try await save(index, names[index], index == 0 ? directory : nil)) }
            }
            for _ in 0..<cellsInFlightMax { launch() }
            while let (index, saved) = try await group.next() {
                each(names[index], saved)
                launch()
            }
        }
    }

    /// Reads cell `name` whole (or takes the directory's listing already made) and writes it
    /// as `file`; each task writes its own file, so the files' fsyncs overlap.
    private func save(
        _ name: String, file: String, listing: (items: [ColonyItem], revision: UInt64)?, backupID: [UInt8],
        placement: BackupManifest.PlacementAsked?
    ) async throws -> CellSaved {
        switch try await read(name, listing: listing) {
        case .gone(let reason):
            return .gone(reason)
        case .read(let archive, let quota):
            let bytes = archive.encoded(backupID: backupID, sealer: sealer, nonce: Self.randomBytes(Sealer.nonceBytes))
            try folder.write(file, bytes)
            return .saved(BackupManifest.Cell(
                cell: name, file: file, revision: archive.revision, keys: archive.items.count, fileBytes: bytes.count,
                sha256: BackupHex.sha256(bytes), quota: quota, placement: placement))
        }
    }

    /// Cell `name` read whole (or, for the directory, the listing already made) with its quota.
    private func read(_ name: String, listing: (items: [ColonyItem], revision: UInt64)?) async throws -> CellRead {
        do {
            let whole: (items: [ColonyItem], revision: UInt64)
            if let listing {
                whole = listing
            } else {
                whole = try await client.readWholeCell(name)
            }
            // Asked after the read, which taught the client the cell's members and leader.
            let limits = try await client.cellInfo(name).limits
            let items = whole.items.map { CellArchive.Item(key: $0.key, value: $0.value, version: $0.version) }
            // What a node answered is checked before it is written: a file that would not verify is no backup.
            guard CellArchive.keysAscend(items), items.allSatisfy({ $0.version <= whole.revision }) else {
                throw ColonyError.unavailable("cell \(name) listed its keys out of order, or with a version above its revision \(whole.revision); nothing of it was written")
            }
            let quota = BackupManifest.Quota(keysMax: limits.keysMax, bytesMax: limits.bytesMax, valueBytesMax: limits.valueBytesMax)
            return .read(CellArchive(cell: name, revision: whole.revision, items: items), quota)
        } catch ColonyError.cellDeleted {
            return .gone("deleted since the directory was read")
        } catch ColonyError.cellNotFound {
            return .gone("recorded in the directory, but no node has it (a creation not finished: `colony cell create \(name)` again)")
        } catch let error as ColonyError {
            throw CommandFailure(ExitStatus.of(error), "cell \(name) could not be read: \(error)")
        }
    }

    /// Now, in ISO 8601 in UTC.
    static func timestamp() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    /// `count` bytes from the system's generator: backup ids and nonces.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
