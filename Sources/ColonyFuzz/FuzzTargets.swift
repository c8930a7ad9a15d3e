/// Every fuzz target, by name: one for each decoder that reads untrusted bytes.
public enum FuzzTargets {
    /// The targets' names, in the order `colony fuzz all` runs them.
    public static let names = ["peer-frame", "wal", "snapshot", "client-api", "transaction-document", "node-config", "backup-cell", "backup-manifest"]

    /// The seed of the simulated run whose traffic seeds the corpora: fixed, so every
    /// campaign of a seed is the same on every machine.
    public static let trafficSeed: UInt64 = 12

    /// The targets named, in the order given; nil if a name is not a target's.
    public static func make(_ requested: [String]) -> [FuzzTarget]? {
        guard requested.allSatisfy(names.contains) else { return nil }
        // The simulated run that seeds three of the corpora is made once, and only if needed.
        var recorded: SimulatedTraffic?
        func traffic() -> SimulatedTraffic {
            let traffic = recorded ?? SimulatedTraffic(seed: trafficSeed)
            recorded = traffic
            return traffic
        }
        var targets: [FuzzTarget] = []
        for name in requested {
            switch name {
            case "peer-frame": targets.append(.peerFrame(traffic()))
            case "wal": targets.append(.wal(traffic()))
            case "snapshot": targets.append(.snapshot(traffic()))
            case "client-api": targets.append(.clientAPI())
            case "transaction-document": targets.append(.transactionDocument())
            case "node-config": targets.append(.nodeConfig())
            case "backup-cell": targets.append(.backupCell())
            case "backup-manifest": targets.append(.backupManifest())
            default: preconditionFailure("Invalid state: \(name) was checked to be a target's name")
            }
        }
        return targets
    }
}
