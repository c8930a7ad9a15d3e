import ColonyClient
import ColonyCore
import ColonyPlacement

/// Many cells created at once (`colony restore`, `colony cell create --count`): what `create`
/// does for one cell, with the directory read once, every placement chosen by one placer, the
/// records written together and the members asked in batches, one call for many cells, so the
/// cost grows with the cells made, not with the cells made times the cells recorded.
extension CellCreation {
    /// One cell of a bulk creation: where to place it and its quota.
    public struct Request: Sendable {
        /// The placement asked for.
        public var placement: PlacementRequest
        /// The cell's quota (nil: the colony's defaults).
        public var quota: ColonyClient.Quota?

        /// Makes a request.
        public init(placement: PlacementRequest, quota: ColonyClient.Quota?) {
            self.placement = placement
            self.quota = quota
        }
    }

    /// The most records written in one transaction of the directory (a cell's transaction limit).
    public static let recordsPerWriteMax = CellLimits.ceiling.transactionStepsMax

    /// Places and creates every cell of `requests` (names distinct); returns their records.
    ///
    /// The placer counts each new placement before it chooses the next, so the new cells'
    /// overlaps stay bounded among themselves as with every recorded cell. A request for a
    /// recorded cell is a retry, as with `create`; one that differs from its record is
    /// refused before anything is written. Every record is written before any member is
    /// asked, so a bulk creation that fails half-way is finished by running it again. The
    /// members are asked in batches (`ColonyClient.createCells`), each of cells whose first
    /// member is the same node, asked there, at most `callsInFlightMax` batches at once;
    /// after the first refusal no more batches are asked, and it is thrown once those asked
    /// have answered.
    public static func createMany(
        _ requests: [Request], directory: Directory, callsInFlightMax: Int = 16
    ) async throws(ControlError) -> [PlacedCell] {
        precondition(callsInFlightMax >= 1, "Invalid state: a bulk creation asks at least one batch at a time")
        let (records, written) = try await placeAndRecord(requests, directory: directory)
        let quotas = Dictionary(requests.map { ($0.placement.cell.name, $0.quota) }, uniquingKeysWith: { first, _ in first })
        // A record mid-move names members that are not the cell's yet: as `create`, its
        // members are not asked (a created cell is the only one moved).
        let batches = memberBatches(records.filter { $0.move == nil })
        let refusal = await withTaskGroup(of: ControlError?.self) { group -> ControlError? in
            var next = 0
            func launch() {
                guard next < batches.count else { return }
                let batch = batches[next]
                next += 1
                group.addTask {
                    await createMembers(of: batch.records, at: batch.node, quotas: quotas, written: written, directory: directory)
                }
            }
            for _ in 0..<callsInFlightMax { launch() }
            var first: ControlError?
            while let outcome = await group.next() {
                first = first ?? outcome
                if first == nil { launch() }
            }
            return first
        }
        if let refusal { throw refusal }
        return records
    }

    /// `records` in batches of at most `ColonyClient.createCellsMax`, each of cells whose
    /// first member has the same client address (nil: unknown, asked at any node).
    private static func memberBatches(_ records: [PlacedCell]) -> [(node: String?, records: [PlacedCell])] {
        var byNode: [String: [PlacedCell]] = [:]
        var order: [String] = []
        for record in records {
            let node = record.clientAddresses.first ?? ""
            if byNode[node] == nil { order.append(node) }
            byNode[node, default: []].append(record)
        }
        var batches: [(node: String?, records: [PlacedCell])] = []
        for node in order {
            let cells = byNode[node] ?? []
            var start = 0
            while start < cells.count {
                let end = min(start + ColonyClient.createCellsMax, cells.count)
                batches.append((node.isEmpty ? nil : node, Array(cells[start..<end])))
                start = end
            }
        }
        return batches
    }

    /// Asks `node` (nil: any) to create the cells of `records` with their `quotas`; returns
    /// the first refusal, once every cell is answered. A cell refused as invalid whose record
    /// this creation wrote (`written`) loses the record again, as with `createMembers(of:)`.
    private static func createMembers(
        of records: [PlacedCell], at node: String?, quotas: [String: ColonyClient.Quota?], written: Set<String>, directory: Directory
    ) async -> ControlError? {
        let cells = records.map {
            ColonyClient.NewCell(name: $0.cell.name, nodes: $0.placement.members.map(\.rawValue), quota: quotas[$0.cell.name] ?? nil)
        }
        let outcomes: [Result<ColonyClient.CreatedCell, ColonyError>]
        do {
            outcomes = try await directory.client.createCells(cells, at: node)
        } catch let error as ColonyError {
            return .cell(cells[0].name, error)
        } catch {
            return .cell(cells[0].name, .unavailable("\(error)"))
        }
        var first: ControlError?
        for (cell, outcome) in zip(cells, outcomes) {
            guard case .failure(let error) = outcome else { continue }
            if written.contains(cell.name), case .invalidArgument = error { _ = try? await directory.removeCell(cell.name) }
            first = first ?? .cell(cell.name, error)
        }
        return first
    }

    /// Every request's record: the directory's for a recorded cell, a new placement otherwise,
    /// the new ones written; returns them in the requests' order, and the names written.
    private static func placeAndRecord(
        _ requests: [Request], directory: Directory
    ) async throws(ControlError) -> (records: [PlacedCell], written: Set<String>) {
        let snapshot: DirectorySnapshot
        do {
            snapshot = try await directory.snapshot()
        } catch {
            throw .directory(error)
        }
        let recorded = Dictionary(snapshot.cells.map { ($0.cell, $0) }, uniquingKeysWith: { first, _ in first })
        var placer: Placer
        do {
            placer = try Reconciler.makePlacer(snapshot)
        } catch {
            throw .placement(error)
        }
        var records: [PlacedCell] = []
        var fresh: [PlacedCell] = []
        for request in requests.map(\.placement) {
            guard !ColonyDirectory.isReserved(request.cell.name) else { throw .reservedName(request.cell.name) }
            if let earlier = recorded[request.cell] {
                guard earlier.placement.request == request else { throw .placedDifferently(earlier) }
                records.append(earlier)
                continue
            }
            let placement: Placement
            do {
                placement = try placer.place(request)
            } catch {
                throw .placement(error)
            }
            let record = PlacedCell(placement: placement, clientAddresses: Reconciler.clientAddresses(of: placement.members, nodes: snapshot.nodes))
            records.append(record)
            fresh.append(record)
        }
        var start = 0
        while start < fresh.count {
            let batch = fresh[start..<min(start + recordsPerWriteMax, fresh.count)]
            do {
                try await directory.write(batch.map { .cell($0) })
            } catch {
                throw .directory(error)
            }
            start += batch.count
        }
        return (records, Set(fresh.map(\.cell.name)))
    }
}
