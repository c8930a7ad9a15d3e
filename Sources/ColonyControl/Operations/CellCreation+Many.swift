import ColonyClient
import ColonyCore
import ColonyPlacement

/// Many cells created at once (`colony restore`): what `create` does for one cell, with the
/// directory read once, every placement chosen by one placer, the records written together
/// and the members of several cells asked at once, so the cost grows with the cells made,
/// not with the cells made times the cells recorded.
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
    /// asked, so a bulk creation that fails half-way is finished by running it again. At most
    /// `cellsInFlightMax` cells' members are asked at once; after the first refusal no more are
    /// asked, and it is thrown once those asked have answered.
    public static func createMany(
        _ requests: [Request], directory: Directory, cellsInFlightMax: Int = 8
    ) async throws(ControlError) -> [PlacedCell] {
        precondition(cellsInFlightMax >= 1, "Invalid state: a bulk creation asks at least one cell at a time")
        let (records, written) = try await placeAndRecord(requests, directory: directory)
        let quotas = Dictionary(requests.map { ($0.placement.cell.name, $0.quota) }, uniquingKeysWith: { first, _ in first })
        // A record mid-move names members that are not the cell's yet: as `create`, its
        // members are not asked (a created cell is the only one moved).
        let asked = records.filter { $0.move == nil }
        let refusal = await withTaskGroup(of: ControlError?.self) { group -> ControlError? in
            var next = 0
            func launch() {
                guard next < asked.count else { return }
                let record = asked[next]
                next += 1
                let name = record.cell.name
                group.addTask {
                    do throws(ControlError) {
                        try await createMembers(of: record, quota: quotas[name] ?? nil, recordWritten: written.contains(name), directory: directory)
                        return nil
                    } catch {
                        return error
                    }
                }
            }
            for _ in 0..<cellsInFlightMax { launch() }
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
