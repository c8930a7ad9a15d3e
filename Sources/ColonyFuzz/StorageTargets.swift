import ColonyCore
import ColonySim
@_spi(Testing) import ColonyStorage

extension FuzzTarget {
    /// The log the storage corpus is written with: segments small enough that an image's few
    /// dozen records (mostly promises of a few dozen bytes) fill several, so the oldest are
    /// freed and the image holds snapshot files too.
    static let storageOptions: WriteAheadLog.Options = {
        var options = WriteAheadLog.Options()
        options.segmentBytesMax = 512
        options.segmentsMax = 2
        return options
    }()

    /// The most records written into one corpus directory.
    static let recordsPerImageMax = 48

    /// A node's data directory (WAL segments and snapshot files) as recovery reads it at
    /// start-up: segment headers, record frames, the records inside, snapshots, the order
    /// and numbering of it all. Edits go beneath the checksums two times in three.
    public static func wal(_ traffic: SimulatedTraffic) -> FuzzTarget {
        FuzzTarget(
            name: "wal", summary: "a data directory of WAL segments and snapshots, through recovery",
            corpus: storageImages(traffic).map(\.bytes), mutate: mutateDirectory, decode: recover)
    }

    /// Snapshot files alone, through recovery: the header, the cell it names, the state inside.
    public static func snapshot(_ traffic: SimulatedTraffic) -> FuzzTarget {
        let snapshots = storageImages(traffic).flatMap { image in
            image.files.filter { $0.key.hasPrefix("snap-") }.sorted { $0.key < $1.key }.map { DirectoryImage(files: [$0.key: $0.value]) }
        }
        return FuzzTarget(
            name: "snapshot", summary: "snapshot files, through recovery",
            corpus: snapshots.map(\.bytes), mutate: mutateDirectory, decode: recover)
    }

    /// The records each storage image is written from: a stretch of those the traffic
    /// implies, as many as 24 images hold, then a promise and a forced heal above it (the
    /// traffic's replicas are never forced to vote again).
    public static func imageRecords(_ traffic: SimulatedTraffic) -> [[(CellID, DurableRecord)]] {
        let records = traffic.records.prefix(24 * recordsPerImageMax)
        return stride(from: 0, to: records.count, by: recordsPerImageMax).map { start in
            let stretch = records[start..<min(records.count, start + recordsPerImageMax)]
            let (cell, _) = stretch[start]
            let floor = Ballot(epoch: 1, round: UInt64(start) + 1, node: NodeID(1))
            return Array(stretch) + [(cell, .promise(floor)), (cell, .forcedHeal(floor: floor))]
        }
    }

    /// Directories written by the production log from the records the traffic implies.
    static func storageImages(_ traffic: SimulatedTraffic) -> [DirectoryImage] {
        imageRecords(traffic).enumerated().map { number, records in
            let disk = SimulatedDisk()
            guard let (log, _) = try? WriteAheadLog.open(disk: disk, options: storageOptions, seed: UInt64(number * recordsPerImageMax)) else {
                preconditionFailure("Invalid state: a log opens on an empty simulated disk")
            }
            for (index, (cell, record)) in records.enumerated() {
                log.append(record, cell: cell)
                if index % 4 == 3 { _ = try? log.flush() }
            }
            _ = try? log.flush()
            var files: [String: [UInt8]] = [:]
            for name in (try? disk.fileNames()) ?? [] {
                files[name] = try? disk.readAll(name)
            }
            return DirectoryImage(files: files)
        }
    }

    /// Opens the log over the image's files, writes what a node writes next (each damaged
    /// cell's request to be renewed, then a record of another cell), and opens it again.
    /// The second recovery must find every cell the first found whole just as it was, and
    /// every cell the first found damaged still damaged or waiting for its renewal: a restart
    /// never loses what the one before it knew.
    @Sendable static func recover(_ bytes: [UInt8]) -> FuzzOutcome {
        guard let image = DirectoryImage(bytes) else { return .refused }
        let disk = SimulatedDisk()
        for (name, contents) in image.files {
            try? disk.append(name, contents)
        }
        let first: Recovery
        do {
            let log: WriteAheadLog
            (log, first) = try WriteAheadLog.open(disk: disk, options: storageOptions, seed: 1)
            for (index, cell) in first.damaged.keys.sorted().enumerated() {
                log.append(.damaged(renewal: RequestID(client: ClientID(1), sequence: UInt64(index + 1))), cell: cell)
            }
            log.append(.healed, cell: writtenAfterRecovery)
            _ = try log.flush()
        } catch {
            return .refused
        }
        guard let (_, second) = try? WriteAheadLog.open(disk: disk, options: storageOptions, seed: 2) else {
            return .violated("the log recovered once, then did not open again after writing a record")
        }
        for (cell, state) in first.cells where second.cells[cell] != state {
            return .violated("cell \(cell), whole at the first recovery, is \(second.damaged[cell].map { "damaged (\($0))" } ?? "another state") at the second")
        }
        for cell in first.damaged.keys where second.damaged[cell] == nil && second.cells[cell]?.damagedRenewal == nil {
            return .violated("cell \(cell), damaged at the first recovery, is whole at the second")
        }
        return .decoded
    }

    /// The cell of the record written between the two recoveries.
    static let writtenAfterRecovery = CellID("fuzz-after-recovery")

    /// An edit of one file of a directory image (resealed two times in three), or of the
    /// directory itself: a file renamed to a boundary sequence number, removed or copied.
    @Sendable static func mutateDirectory(_ mutator: inout Mutator, _ corpus: [[UInt8]]) -> [UInt8] {
        guard var image = DirectoryImage(mutator.pick(corpus)), !image.files.isEmpty else {
            return plainMutation(&mutator, corpus)
        }
        for _ in 0..<(1 + mutator.below(2)) {
            let names = image.files.keys.sorted()
            let name = mutator.pick(names)
            guard let contents = image.files[name] else { continue }
            switch mutator.below(12) {
            case 0:
                image.files[name] = nil
                image.files[renamed(name, &mutator)] = contents
            case 1:
                image.files[renamed(name, &mutator)] = contents
            case 2 where names.count > 1:
                image.files[name] = nil
            default:
                var edited = mutator.mutate(contents, corpus: names.compactMap { image.files[$0] })
                if mutator.below(3) != 0 {
                    if name.hasPrefix("snap-") {
                        ChecksumRepair.resealSnapshot(&edited)
                    } else {
                        ChecksumRepair.resealSegment(&edited)
                    }
                }
                image.files[name] = edited
            }
        }
        return image.bytes
    }

    /// Another name for a file: a segment starting at a boundary or neighbouring sequence
    /// number (in either case of hex digit), a snapshot of another cell, or a leftover.
    private static func renamed(_ name: String, _ mutator: inout Mutator) -> String {
        switch mutator.below(4) {
        case 0, 1:
            let lsn = mutator.pick([0, 1, 2, UInt64.max, UInt64.max - 1, UInt64(mutator.below(200)), 0xAB_CDEF])
            let digits = String(lsn, radix: 16, uppercase: mutator.below(2) == 0)
            return "wal-" + String(repeating: "0", count: 16 - digits.count) + digits + ".seg"
        case 2:
            let cell = mutator.pick(["", "00", "zz", "ff", "61", "616263", "2f", String(repeating: "61", count: 200)])
            return "snap-" + cell + ".snap"
        default:
            return name + ".tmp"
        }
    }
}
