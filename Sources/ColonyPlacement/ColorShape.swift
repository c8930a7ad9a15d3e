/// How one color's active nodes spread over zones and racks: what the zone and rack rules
/// can ask of it. A cell's attempts are planned from this before any search.
struct ColorShape: Sendable {
    /// Active nodes of the color in each zone, by zone index.
    let activeInZone: [Int]
    /// For each zone index: the number of active nodes of the color in each of its racks
    /// that has any.
    let rackSizes: [[Int]]

    /// The shape of the active nodes `activeNodes` in `fleet`.
    init(fleet: Fleet, activeNodes: [Int]) {
        var inZone = [Int](repeating: 0, count: fleet.zones.count)
        var inRack = [Int](repeating: 0, count: fleet.racks.count)
        for node in activeNodes {
            inZone[fleet.zoneOfNode[node]] += 1
            inRack[fleet.rackOfNode[node]] += 1
        }
        var sizes = [[Int]](repeating: [], count: fleet.zones.count)
        for (rack, count) in inRack.enumerated() where count > 0 {
            sizes[fleet.racks[rack].zone].append(count)
        }
        activeInZone = inZone
        rackSizes = sizes
    }

    /// Zones with at least one active node of the color.
    var zonesWithNodes: Int {
        activeInZone.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
    }

    /// How many replicas zone `zone` can take with at most `rackCap` per rack.
    func capacity(zone: Int, rackCap: Int) -> Int {
        rackSizes[zone].reduce(0) { $0 + min($1, rackCap) }
    }

    /// How many replicas the color can take with at most `caps[z]` in zone `z` and `rackCap` per rack.
    func capacity(caps: [Int], rackCap: Int) -> Int {
        caps.indices.reduce(0) { $0 + min(caps[$1], capacity(zone: $1, rackCap: rackCap)) }
    }

    /// The zone caps for `replicas`: at most a minority (`replicas - majority`) in every zone
    /// when three or more zones can hold the cell that way; otherwise the lowest cap that
    /// fits, the same for every zone, and why the rule cannot hold.
    func zoneCaps(replicas: Int, color: String, zoneNames: [String]) -> (caps: [Int], reason: String?) {
        let minority = replicas - (replicas / 2 + 1)
        let minorityCaps = [Int](repeating: minority, count: activeInZone.count)
        if zonesWithNodes >= 3 && capacity(caps: minorityCaps, rackCap: replicas) >= replicas {
            return (minorityCaps, nil)
        }
        var cap = minority
        // At most `replicas`: with fewer active nodes than replicas (a replacement that keeps
        // members on draining or down nodes) no cap fits, and the zone rule is lifted.
        while cap < replicas, capacity(caps: [Int](repeating: cap, count: activeInZone.count), rackCap: replicas) < replicas {
            cap += 1
        }
        let counts = zip(zoneNames, activeInZone).filter { $0.1 > 0 }.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let reason: String
        if zonesWithNodes < 3 {
            reason = "only \(zonesWithNodes) zone\(zonesWithNodes == 1 ? "" : "s") (\(counts)) \(zonesWithNodes == 1 ? "has" : "have") active nodes of color \(color); a majority survives the loss of a zone only with 3 or more zones, so up to \(cap) of \(replicas) share a zone"
        } else {
            reason = "with at most \(minority) of \(replicas) in each zone, the active nodes of color \(color) (\(counts)) hold only \(capacity(caps: minorityCaps, rackCap: replicas)); up to \(cap) share a zone. Add nodes of that color to the small zones"
        }
        return ([Int](repeating: cap, count: activeInZone.count), reason)
    }

    /// The lowest rack cap that fits `replicas` under `caps`, and why it is above one.
    func rackCap(replicas: Int, caps: [Int], color: String, zoneNames: [String]) -> (cap: Int, reason: String?) {
        var cap = 1
        while cap < replicas, capacity(caps: caps, rackCap: cap) < replicas { cap += 1 }
        guard cap > 1 else { return (1, nil) }
        let racks = zip(zoneNames, rackSizes).filter { !$0.1.isEmpty }.map { "\($0.0) \($0.1.count)" }.joined(separator: ", ")
        return (cap, "color \(color) has active nodes on too few racks (racks per zone: \(racks)) for \(replicas) replicas one per rack within the zone rule; up to \(cap) share a rack. Add racks")
    }
}

/// What the zone and rack rules ask of one color for one replica count.
struct ZonePlan: Sendable {
    /// The color's spread.
    var shape: ColorShape
    /// The most replicas per zone, and why it is above a minority when it is.
    var zones: (caps: [Int], reason: String?)
    /// The most replicas per rack, and why it is above one when it is.
    var racks: (cap: Int, reason: String?)
}
