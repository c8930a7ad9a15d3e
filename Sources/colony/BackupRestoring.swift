import ColonyAPI
import ColonyAuth
import ColonyBackup
import ColonyClient
import ColonyControl
import ColonyCore
import ColonyPlacement
import ColonyStorage
import Foundation

/// `colony restore --from DIR`: the backup checked whole first (nothing is written from a
/// damaged one), then each of its user cells created where the colony lacks it — on nodes
/// this colony's placer chooses, with the quota and placement request it was backed up with —
/// and its keys restored in parts at their versions, the cell at the revision it was backed
/// up at (an overwritten cell's keys are written in transactions: it keeps its own revisions).
///
/// A cell the colony has already is refused, before anything is written, unless the operator
/// asks to overwrite such cells (their keys become the backup's) or to skip them. The
/// colony's own cells are not written back: the backup's directory records the old colony's
/// nodes and where its cells were, which a new colony decides for itself.
struct BackupRestoring: Sendable {
    /// The directory, and the client the cells are written through.
    let directory: Directory
    /// The backup.
    let folder: BackupFolder
    /// Opens the cell files, when the backup is encrypted.
    let sealer: Sealer
    /// The cells to restore (nil: every user cell of the backup).
    var only: Set<String>?
    /// Whether existing cells are overwritten.
    var overwrite = false
    /// Whether existing cells are skipped.
    var skipExisting = false
    /// A replica count for every created cell instead of the backup's.
    var replicas: Int?
    /// The identity of this client, when the backup's authorization policy is to replace the
    /// colony's (nil: the colony keeps its own).
    var policyRestoredBy: Identity?
    /// How many cells' keys are written at once.
    var cellsInFlightMax = 8
    /// The most steps of one transaction (a cell's limit).
    static let batchStepsMax = CellLimits.ceiling.transactionStepsMax
    /// The most bytes of keys and values of one transaction, unless one value alone is larger.
    static let batchBytesMax = 256 * 1024

    /// What a restore did.
    struct Figures: Sendable {
        /// The cells created, then filled.
        var created: [String] = []
        /// The existing cells whose keys became the backup's.
        var overwritten: [String] = []
        /// The existing cells left as they were.
        var skipped: [String] = []
        /// The colony's own cells of the backup, not restored.
        var reserved: [String] = []
        /// What the backup's directory holds, said when it is not restored.
        var directoryHeld: String?
        /// The policy put in place of the colony's, when asked.
        var policy: AuthPolicy?
        /// The keys written.
        var keys = 0
        /// How long it took.
        var duration: Duration = .zero
    }

    /// Restores the backup; throws at the first cell that cannot be made or written (a
    /// restore run again finds the cells done so far existing: `--overwrite` finishes it,
    /// creating those whose records were written but whose members were never asked).
    func run() async throws -> Figures {
        let started = ContinuousClock.now
        let manifest = try await checkWhole()
        let snapshot = try await directory.snapshot()
        let chosen = manifest.cells.filter { only?.contains($0.cell) ?? true }
        if let only, let unknown = only.subtracting(manifest.cells.map(\.cell)).sorted().first {
            throw CommandFailure(.notFound, "the backup holds no cell \(unknown)")
        }
        var (steps, figures) = try choose(chosen, existing: Set(snapshot.cells.map(\.cell.name)))
        let verification = try folder.verification(sealer: sealer)
        if let entry = chosen.first(where: { $0.cell == ColonyDirectory.cell }) {
            figures.directoryHeld = describeDirectory(entry, verification: verification)
        }
        let creations = steps.filter { $0.1 == .create }.map(\.0)
        _ = try await CellCreation.createMany(creations.map(creation), directory: directory)
        figures.created = creations.map(\.cell)
        figures.overwritten = steps.filter { $0.1 == .overwrite }.map(\.0.cell)
        for (entry, step) in steps where step == .overwrite {
            if let record = snapshot.cells.first(where: { $0.cell.name == entry.cell }) {
                try await finishCreation(of: record, quota: creation(entry).quota, snapshot: snapshot)
            }
        }
        figures.keys = try await writeKeys(of: steps, verification: verification)
        if let identity = policyRestoredBy {
            figures.policy = try await restorePolicy(manifest, by: identity, verification: verification)
        }
        figures.duration = ContinuousClock.now - started
        return figures
    }

    /// The step of each cell of `chosen`, and the figures of those not restored; throws, before
    /// anything is written, when cells exist and neither overwriting nor skipping was asked.
    private func choose(_ chosen: [BackupManifest.Cell], existing: Set<String>) throws -> ([(BackupManifest.Cell, RestoreStep)], Figures) {
        var figures = Figures()
        var steps: [(BackupManifest.Cell, RestoreStep)] = []
        for entry in chosen {
            let step = RestoreStep.choose(cell: entry.cell, exists: existing.contains(entry.cell), overwrite: overwrite)
            switch step {
            case .skipReserved: figures.reserved.append(entry.cell)
            case .keepExisting: figures.skipped.append(entry.cell)
            case .create, .overwrite: steps.append((entry, step))
            }
        }
        if !figures.skipped.isEmpty, !skipExisting {
            throw CommandFailure(.failure, """
                the colony has \(figures.skipped.count) of the backup's cells already (\(Self.names(figures.skipped))): nothing was written; \
                pass --overwrite to make their keys the backup's, or --skip-existing to leave them
                """)
        }
        return (steps, figures)
    }

    /// Checks every file of the backup; throws, naming each problem, if any is damaged.
    private func checkWhole() async throws -> BackupManifest {
        var problems: [String] = []
        let manifest = try await folder.verify(sealer: sealer) { outcome in
            if let problem = outcome.problem { problems.append(problem) }
        }
        guard problems.isEmpty else {
            throw CommandFailure(.invalidInput, "the backup in \(folder.path) is damaged; nothing was restored:\n  " + BackupVerifyCommand.listed(problems))
        }
        return manifest
    }

    /// What the backup's directory holds: node records, cell records, an authorization policy.
    private func describeDirectory(_ entry: BackupManifest.Cell, verification: BackupVerification) -> String? {
        guard let archive = verification.check(entry, folder.read(entry.file, bytesMax: BackupFormat.cellFileBytesMax)).archive,
              let snapshot = try? DirectorySnapshot(listing: archive.items.map { ($0.key, $0.value) })
        else { return nil }
        let policy = archive.items.contains { $0.key == ColonyDirectory.policyKey } ? ", an authorization policy" : ""
        return "\(snapshot.nodes.count) node records, \(snapshot.cells.count) cell records\(policy)"
    }

    /// Puts the backup's authorization policy in place of the colony's, through the policy's
    /// own compare-and-set (`Directory.change`), refused when it is on and `identity` is not an
    /// admin in it; returns it.
    private func restorePolicy(_ manifest: BackupManifest, by identity: Identity, verification: BackupVerification) async throws -> AuthPolicy {
        guard let entry = manifest.cells.first(where: { $0.cell == ColonyDirectory.cell }),
              let archive = verification.check(entry, folder.read(entry.file, bytesMax: BackupFormat.cellFileBytesMax)).archive
        else { throw CommandFailure(.notFound, "the backup holds no directory (\(ColonyDirectory.cell)), so no authorization policy") }
        guard let item = archive.items.first(where: { $0.key == ColonyDirectory.policyKey }) else {
            throw CommandFailure(.notFound, "the backup's directory holds no authorization policy; the colony keeps its own")
        }
        let policy = try DirectoryCoding.decode(item.value, key: ColonyDirectory.policyKey, as: AuthPolicy.self)
        return try await directory.change(.replace(with: policy, by: identity))
    }

    /// The creation of cell `entry` as it was asked for when backed up.
    private func creation(_ entry: BackupManifest.Cell) -> CellCreation.Request {
        let asked = entry.placement
        var request = PlacementRequest(cell: CellID(entry.cell))
        request.replicas = replicas ?? asked?.replicas ?? request.replicas
        request.nearZone = asked?.nearZone
        request.color = asked?.color ?? request.color
        let quota = ColonyClient.Quota(keysMax: entry.quota.keysMax, bytesMax: entry.quota.bytesMax, valueBytesMax: entry.quota.valueBytesMax)
        return CellCreation.Request(placement: request, quota: quota)
    }

    /// Creates the cell `record` places if none of its members hosts it: a creation (an
    /// earlier restore's) stopped after it wrote the record and before the members made the
    /// cell, and is finished as recorded, as `colony cell create` run again does.
    private func finishCreation(of record: PlacedCell, quota: ColonyClient.Quota?, snapshot: DirectorySnapshot) async throws {
        guard record.move == nil else { return }
        let members = record.placement.members.map { member in
            (node: member.rawValue, address: snapshot.nodes.first { $0.id == member.rawValue }?.clientAddress ?? "")
        }
        guard await directory.client.cellAtEachMember(record.cell.name, members: members).isEmpty else { return }
        _ = try await CellCreation.create(record.placement.request, quota: quota, directory: directory)
    }

    /// Writes every cell's keys, `cellsInFlightMax` cells at once; returns how many keys.
    private func writeKeys(of entries: [(BackupManifest.Cell, RestoreStep)], verification: BackupVerification) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var keys = 0
            func launch() {
                guard next < entries.count else { return }
                let entry = entries[next]
                next += 1
                group.addTask { try await writeKeys(of: entry.0, step: entry.1, verification: verification) }
            }
            for _ in 0..<cellsInFlightMax { launch() }
            while let written = try await group.next() {
                keys += written
                launch()
            }
            return keys
        }
    }

    /// Reads cell `entry`'s file again (checked against the manifest again: it may have
    /// changed since the first pass) and makes the cell's keys its keys.
    private func writeKeys(of entry: BackupManifest.Cell, step: RestoreStep, verification: BackupVerification) async throws -> Int {
        let outcome = verification.check(entry, folder.read(entry.file, bytesMax: BackupFormat.cellFileBytesMax))
        guard let archive = outcome.archive else {
            throw CommandFailure(.invalidInput, outcome.problem ?? "cell \(entry.cell): its file changed during the restore")
        }
        let client = directory.client
        guard step == .overwrite else {
            // A cell this restore created was never written: it takes the backup's keys at
            // their versions, and its revision.
            let plan = RestoreParts(archive: archive, stepsMax: Self.batchStepsMax, bytesMax: Self.batchBytesMax)
            for (index, part) in plan.parts.enumerated() {
                let items = part.map { item in
                    var restored = Colony_V1_KeyValue()
                    restored.key = item.key
                    restored.value = Data(item.value)
                    restored.version = item.version
                    return restored
                }
                try await client.restore(entry.cell, revision: plan.revision, items: items, first: index == 0)
            }
            return archive.items.count
        }
        // An overwritten cell is read for the keys to delete.
        let existingKeys = try await client.readWholeCell(entry.cell).items.map(\.key)
        let plan = RestoreBatches(archive: archive, existingKeys: existingKeys, stepsMax: Self.batchStepsMax, bytesMax: Self.batchBytesMax)
        for batch in plan.batches {
            _ = try await client.transaction(entry.cell, Self.transaction(batch))
        }
        return archive.items.count
    }

    /// The transaction of one batch: every write, no condition.
    static func transaction(_ batch: [RestoreBatches.Write]) -> Colony_V1_TransactionRequest {
        var transaction = Colony_V1_TransactionRequest()
        for write in batch {
            var step = Colony_V1_Step()
            switch write {
            case .put(let key, let value):
                var put = Colony_V1_KeyValuePut()
                put.key = key
                put.value = Data(value)
                step.put = put
            case .delete(let key):
                step.delete = key
            }
            transaction.success.append(step)
        }
        return transaction
    }

    /// Up to five names, and how many more.
    static func names(_ cells: [String]) -> String {
        cells.prefix(5).joined(separator: ", ") + (cells.count > 5 ? " and \(cells.count - 5) more" : "")
    }
}
