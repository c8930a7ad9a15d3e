@testable import ColonyFuzz
import Testing

/// A fixed, seeded slice of every fuzz target's campaign: the same inputs on every run,
/// seconds in all. Long campaigns are `colony fuzz TARGET --runs N`.
@Suite("Fuzz slices")
struct FuzzSliceTests {
    /// Inputs per target: enough to pass every kind of mutation over every corpus input.
    static let slice: [String: UInt64] = [
        "peer-frame": 4_000, "wal": 600, "snapshot": 1_500, "client-api": 4_000, "transaction-document": 3_000, "node-config": 3_000,
        "backup-cell": 3_000, "backup-manifest": 2_000,
    ]

    static let targets = FuzzTargets.make(FuzzTargets.names) ?? []

    @Test("every decoder of untrusted bytes survives its seeded slice of hostile inputs, and decodes the valid ones", arguments: FuzzTargets.names)
    func slice(_ name: String) throws {
        let target = try #require(Self.targets.first { $0.name == name })
        let report = FuzzCampaign(target: target, seed: 2026).run(count: Self.slice[name] ?? 1_000)
        #expect(report.violations.isEmpty, "\(report.violations.map { "input \($0.index): \($0.reason)" })")
        #expect(report.inputs == Int(Self.slice[name] ?? 1_000))
        #expect(report.decoded > 0)
    }
}

@Suite("Fuzz corpora")
struct FuzzCorpusTests {
    @Test("the storage targets' images hold promises, accepted entries and forced heals")
    func storageImagesHoldEveryRecord() {
        let images = FuzzTarget.imageRecords(SimulatedTraffic(seed: FuzzTargets.trafficSeed))
        let kinds = Set(images.joined().map { String(String(describing: $0.1).prefix { $0 != "(" }) })
        #expect(kinds.isSuperset(of: ["promise", "accepted", "forcedHeal"]), "\(kinds.sorted())")
    }

    @Test("the storage images hold several segments and snapshot files, so the snapshot target has a corpus")
    func storageImagesHoldSnapshots() {
        let images = FuzzTarget.storageImages(SimulatedTraffic(seed: FuzzTargets.trafficSeed))
        let names = images.map { $0.files.keys }
        #expect(names.allSatisfy { $0.contains { $0.hasPrefix("wal-") } })
        #expect(names.filter { $0.contains { $0.hasPrefix("snap-") } }.count * 2 >= images.count, "\(names)")
    }
}

