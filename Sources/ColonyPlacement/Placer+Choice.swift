import ColonyCore

extension Placer {
    /// The nodes chosen for a cell and the rules they do not keep.
    struct Choice {
        /// Node indices in the order chosen (kept members first).
        var members: [Int]
        /// The rules not kept, with reasons.
        var relaxed: [Relaxation]
    }

    /// What one cell's attempts share.
    private struct Context {
        var request: PlacementRequest
        var color: Int
        var kept: [Int]
        var ranking: Ranking
        var subsetSize: Int?
        var nearZone: Int?
    }

    /// Chooses `request`'s nodes through the attempts, strongest rules first: near zone with
    /// zones, racks and overlap; then zones, racks and overlap; then zones and racks with as
    /// few subsets held by earlier cells as the search finds; then any nodes of the color
    /// (only if a search limit cut the others short). The first attempt that finds a set wins.
    mutating func choose(
        _ request: PlacementRequest, color: Int, kept: [Int], excluded: Int?, subsetSize: Int?, generator: SplitMix64
    ) -> Choice {
        let plan = zonePlan(color: color, request: request)
        let nearZone = request.nearZone.flatMap { fleet.zoneIndex(of: $0) }
        let ranking = Ranking(
            levels: loads.levels[color], excluded: excluded, nearZone: nearZone, zoneOfNode: fleet.zoneOfNode, generator: generator)
        let context = Context(request: request, color: color, kept: kept, ranking: ranking, subsetSize: subsetSize, nearZone: nearZone)
        let replicas = request.replicas
        var reasons: [PlacementRule: String] = [:]
        let zones = plan.zones
        reasons[.zoneMajority] = zones.reason
        let racks = plan.racks
        reasons[.rackSpread] = racks.reason

        if let nearZone {
            let near = nearAttempt(context, shape: plan.shape, nearZone: nearZone, standardCaps: zones.caps, rackCap: racks.cap)
            if let members = near.members {
                reasons[.zoneMajority] = zones.reason ?? near.reason
                return finish(context, members: members, reasons: reasons, overlapKept: context.kept.isEmpty)
            }
            reasons[.nearZone] = near.reason
        }
        let strict = search(context, SearchRules(zoneCaps: zones.caps, rackCap: racks.cap, nearMinimum: 0, collisionsAllowed: 0))
        if !strict.members.isEmpty {
            return finish(context, members: strict.members, reasons: reasons, overlapKept: context.kept.isEmpty)
        }
        reasons[.overlapBound] = overlapReason(request, strict: strict)
        if subsetSize != nil {
            let fewest = search(context, SearchRules(zoneCaps: zones.caps, rackCap: racks.cap, nearMinimum: 0, collisionsAllowed: Int.max))
            if !fewest.members.isEmpty {
                return finish(context, members: fewest.members, reasons: reasons, overlapKept: false)
            }
        }
        let limit = "the search limit of \(configuration.searchStepsMax) candidates was reached before a set keeping it was found"
        reasons[.zoneMajority] = reasons[.zoneMajority] ?? limit
        reasons[.rackSpread] = reasons[.rackSpread] ?? limit
        let anyNodes = SearchRules(
            zoneCaps: [Int](repeating: replicas, count: fleet.zones.count), rackCap: replicas, nearMinimum: 0,
            collisionsAllowed: Int.max)
        let last = search(context, anyNodes)
        precondition(!last.members.isEmpty, "cell \(request.cell): \(ranking.count) candidates cannot fill \(replicas) replicas")
        return finish(context, members: last.members, reasons: reasons, overlapKept: false)
    }

    /// The attempt with a majority in the near zone, spread over racks as well as the color
    /// allows anywhere (`rackCap`), or why there is none.
    private func nearAttempt(
        _ context: Context, shape: ColorShape, nearZone: Int, standardCaps: [Int], rackCap: Int
    ) -> (members: [Int]?, reason: String) {
        let request = context.request
        let zone = fleet.zones[nearZone]
        let active = shape.activeInZone[nearZone]
        let majority = request.majority
        guard active > 0 else {
            return (nil, "zone \(zone) has no active nodes of color \(request.color); the cell is placed as if no zone were named")
        }
        guard active >= majority else {
            return (nil, "zone \(zone) has only \(active) active node\(active == 1 ? "" : "s") of color \(request.color); a majority needs \(majority). It holds the preferred leader")
        }
        var caps = standardCaps.map { min($0, request.replicas - majority) }
        caps[nearZone] = majority
        guard shape.capacity(zone: nearZone, rackCap: rackCap) >= majority, shape.capacity(caps: caps, rackCap: rackCap) >= request.replicas else {
            return (nil, "zone \(zone) and the other zones lack the racks of color \(request.color) to hold a majority in \(zone) at most \(rackCap) per rack; \(zone) holds the preferred leader and as many as the zone rule allows")
        }
        let outcome = search(context, SearchRules(zoneCaps: caps, rackCap: rackCap, nearMinimum: majority, collisionsAllowed: 0))
        if !outcome.members.isEmpty {
            return (outcome.members, "near zone \(zone) holds \(majority) of \(request.replicas) so commits stay in \(zone); losing \(zone) takes this cell's majority, as it takes its clients")
        }
        let how = outcome.exhausted ? "within the search limit of \(configuration.searchStepsMax) candidates" : "of all sets tried"
        return (nil, "no set with \(majority) of \(request.replicas) in zone \(zone) keeps the overlap bound (\(how)); \(zone) holds the preferred leader and as many as the zone rule allows")
    }

    private func search(_ context: Context, _ rules: SearchRules) -> CellSearch.Outcome {
        var search = CellSearch(
            replicas: context.request.replicas, kept: context.kept, ranking: context.ranking, fleet: fleet,
            index: context.subsetSize.flatMap { indexes[$0] }, rules: rules, stepsMax: configuration.searchStepsMax)
        return search.run()
    }

    private func overlapReason(_ request: PlacementRequest, strict: CellSearch.Outcome) -> String {
        let bound = configuration.overlapMax(replicas: request.replicas)
        let how = strict.exhausted ? "within the search limit of \(configuration.searchStepsMax) candidates" : "(every such set was tried)"
        return "no \(request.replicas) nodes of color \(request.color) that keep the zone and rack rules share at most \(bound) with every earlier cell \(how)"
    }

    /// The choice for `members`, listing each rule they break with its reason; `overlapKept`
    /// when the search already kept the overlap bound.
    private func finish(_ context: Context, members: [Int], reasons: [PlacementRule: String], overlapKept: Bool) -> Choice {
        var relaxed: [Relaxation] = []
        for rule in PlacementRule.allCases {
            // A rule the search kept needs no check: the zone and rack caps hold unless a reason
            // to relax them was given (or members were kept from before), the overlap bound
            // holds when the search kept it.
            switch rule {
            case .zoneMajority, .rackSpread:
                guard reasons[rule] != nil || !context.kept.isEmpty else { continue }
            case .overlapBound:
                guard !overlapKept else { continue }
            case .nearZone:
                guard context.nearZone != nil else { continue }
            }
            guard let detail = violation(of: rule, by: members, context: context) else { continue }
            let reason = reasons[rule] ?? "the members kept from the earlier placement already break it"
            relaxed.append(Relaxation(rule: rule, reason: detail.isEmpty ? reason : "\(reason); \(detail)"))
        }
        return Choice(members: members, relaxed: relaxed)
    }

    /// Nil when `members` keep `rule`; otherwise what they do (empty when the reason says it all).
    private func violation(of rule: PlacementRule, by members: [Int], context: Context) -> String? {
        let request = context.request
        switch rule {
        case .zoneMajority:
            let most = members.map { node in members.reduce(0) { $0 + (fleet.zoneOfNode[$1] == fleet.zoneOfNode[node] ? 1 : 0) } }.max() ?? 0
            return most >= request.majority ? "" : nil
        case .rackSpread:
            let most = members.map { node in members.reduce(0) { $0 + (fleet.rackOfNode[$1] == fleet.rackOfNode[node] ? 1 : 0) } }.max() ?? 0
            return most > 1 ? "" : nil
        case .overlapBound:
            guard let size = context.subsetSize, let index = indexes[size] else { return nil }
            let sorted = members.sorted()
            let masks = SubsetMasks.table[size][sorted.count]
            let held = masks.reduce(0) { $0 + (index.contains(index.rank.rank(choosing: $1, of: sorted)) ? 1 : 0) }
            return held == 0 ? nil : "\(held) of its \(masks.count) sets of \(size) nodes lie in earlier cells"
        case .nearZone:
            guard let nearZone = context.nearZone else { return nil }
            let near = members.reduce(0) { $0 + (fleet.zoneOfNode[$1] == nearZone ? 1 : 0) }
            return near >= request.majority ? nil : ""
        }
    }
}
