import Testing
@testable import colony

@Suite("chaos schedules drawn from a seed")
struct ChaosScheduleTests {
    @Test("the same seed and options give the same schedule; another seed, another")
    func seeded() {
        let options = ChaosScheduleOptions()
        #expect(ChaosSchedule(seed: 7, options: options) == ChaosSchedule(seed: 7, options: options))
        #expect(ChaosSchedule(seed: 7, options: options) != ChaosSchedule(seed: 8, options: options))
    }

    @Test("faults start one gap apart, last their hold and end within the schedule's length")
    func withinLength() {
        var options = ChaosScheduleOptions()
        options.length = .seconds(30)
        for seed in UInt64(0)..<50 {
            let faults = ChaosSchedule(seed: seed, options: options).faults
            #expect(!faults.isEmpty)
            for fault in faults {
                #expect(fault.start >= .milliseconds(500) && fault.end <= options.length)
                #expect(fault.hold >= .milliseconds(1_000) && fault.hold <= .milliseconds(3_000))
                #expect((1...3).contains(fault.node))
            }
            #expect(zip(faults, faults.dropFirst()).allSatisfy { $0.start < $1.start })
        }
    }

    @Test("never more than brokenMax nodes broken at once, never one node twice at once")
    func minorityAtMost() {
        var options = ChaosScheduleOptions()
        options.nodes = 5
        options.brokenMax = ChaosScheduleOptions.minority(of: 5)
        options.length = .seconds(60)
        options.gapMilliseconds = 100...400
        for seed in UInt64(0)..<50 {
            let faults = ChaosSchedule(seed: seed, options: options).faults
            for fault in faults {
                let overlapping = faults.filter { $0.start <= fault.start && fault.start < $0.end }
                #expect(overlapping.count <= 2, "seed \(seed): \(overlapping)")
                #expect(Set(overlapping.map(\.node)).count == overlapping.count, "seed \(seed): \(overlapping)")
            }
        }
        #expect(ChaosScheduleOptions.minority(of: 3) == 1 && ChaosScheduleOptions.minority(of: 7) == 3)
    }

    @Test("only the kinds asked for are drawn, each of them over a few seeds")
    func kinds() {
        var options = ChaosScheduleOptions()
        options.kinds = [.pause]
        #expect((0..<20).allSatisfy { ChaosSchedule(seed: $0, options: options).faults.allSatisfy { $0.kind == .pause } })
        options.kinds = ChaosFaultKind.allCases
        let counts = (UInt64(0)..<20).map { ChaosSchedule(seed: $0, options: options).countsByKind }
            .reduce(into: [ChaosFaultKind: Int]()) { $0.merge($1, uniquingKeysWith: +) }
        #expect(ChaosFaultKind.allCases.allSatisfy { counts[$0, default: 0] > 0 }, "\(counts)")
    }

    @Test("a pause or a stall falls on the serving node that leads the most cells; a kill on its own node, or the first serving")
    func targets() {
        let pause = ChaosFault(kind: .pause, node: 1, start: .zero, hold: .seconds(1))
        #expect(pause.target(serving: [1, 2, 3], leading: [2: 3, 3: 1]) == 2)
        #expect(pause.target(serving: [1, 3], leading: [2: 3, 3: 1]) == 3)
        #expect(pause.target(serving: [1, 2, 3], leading: [1: 2, 2: 2]) == 1)
        #expect(pause.target(serving: [2, 3], leading: [:]) == 2)
        let stall = ChaosFault(kind: .stall, node: 1, start: .zero, hold: .seconds(1))
        #expect(stall.target(serving: [1, 2, 3], leading: [3: 1]) == 3)
        let kill = ChaosFault(kind: .kill, node: 3, start: .zero, hold: .seconds(1))
        #expect(kill.target(serving: [1, 2, 3], leading: [1: 5]) == 3)
        #expect(kill.target(serving: [1, 2], leading: [:]) == 1)
        #expect(kill.target(serving: [], leading: [:]) == nil)
    }

    @Test("nodes are spread over zones in turn, as local colonies place them; a zone partition fits only if no zone is above brokenMax")
    func zones() {
        var options = ChaosScheduleOptions()
        options.nodes = 5
        options.brokenMax = 2
        #expect(options.nodesByZone == [[1, 4], [2, 5], [3]])
        #expect(options.zonePartitionFits)
        options.nodes = 4
        options.brokenMax = 1
        #expect(!options.zonePartitionFits)
        options.zones = 1
        options.brokenMax = 4
        #expect(!options.zonePartitionFits, "one zone has no other side")
    }

    @Test("a zone partition breaks every node of one zone, counted whole against brokenMax beside the other faults")
    func zonePartitions() {
        var options = ChaosScheduleOptions()
        options.nodes = 9
        options.brokenMax = ChaosScheduleOptions.minority(of: 9)
        options.kinds = ChaosFaultKind.allCases
        options.length = .seconds(60)
        options.gapMilliseconds = 100...400
        var zonePartitions = 0
        for seed in UInt64(0)..<50 {
            let faults = ChaosSchedule(seed: seed, options: options).faults
            for fault in faults {
                if fault.kind == .zonePartition {
                    zonePartitions += 1
                    #expect(options.nodesByZone.contains(fault.nodes) && fault.nodes.contains(fault.node), "seed \(seed): \(fault)")
                } else {
                    #expect(fault.nodes == [fault.node])
                }
                let overlapping = faults.filter { $0.start <= fault.start && fault.start < $0.end }.flatMap(\.nodes)
                #expect(overlapping.count <= 4 && Set(overlapping).count == overlapping.count, "seed \(seed): \(overlapping)")
            }
        }
        #expect(zonePartitions > 0)
    }

    @Test("a partition or a loss falls on the serving node that leads the most cells, as a pause does")
    func networkTargets() {
        let partition = ChaosFault(kind: .partition, node: 1, start: .zero, hold: .seconds(1))
        #expect(partition.target(serving: [1, 2, 3], leading: [2: 3, 3: 1]) == 2)
        let loss = ChaosFault(kind: .loss, node: 1, start: .zero, hold: .seconds(1))
        #expect(loss.target(serving: [1, 3], leading: [3: 1]) == 3)
    }

    @Test("a loopback colony draws process faults only, a namespaced one network faults too; disk and clock faults only when named")
    func networks() {
        #expect(ChaosNetwork.loopback.kinds == [.kill, .pause, .stall])
        #expect(Set(ChaosNetwork.namespaces.kinds + ChaosFaultKind.namedKinds) == Set(ChaosFaultKind.allCases))
        #expect(!ChaosNetwork.namespaces.kinds.contains(.diskFull) && !ChaosNetwork.namespaces.kinds.contains(.clockSkew))
        #expect(ChaosScheduleOptions().kinds == ChaosFaultKind.processKinds)
    }

    @Test("a clock skew sets its node's clock off by 1 to the bound's seconds, ahead or behind, drawn from the seed")
    func clockOffsets() {
        var options = ChaosScheduleOptions()
        options.kinds = [.clockSkew, .kill]
        options.clockSkewSecondsMax = 40
        let faults = (UInt64(0)..<30).flatMap { ChaosSchedule(seed: $0, options: options).faults }
        let skews = faults.filter { $0.kind == .clockSkew }
        #expect(skews.allSatisfy { (1...40).contains(abs($0.clockOffsetSeconds)) }, "\(skews)")
        #expect(skews.contains { $0.clockOffsetSeconds > 0 } && skews.contains { $0.clockOffsetSeconds < 0 }, "\(skews)")
        #expect(faults.filter { $0.kind == .kill }.allSatisfy { $0.clockOffsetSeconds == 0 })
        options.clockSkewSecondsMax = 1
        #expect((UInt64(0)..<10).allSatisfy { seed in
            ChaosSchedule(seed: seed, options: options).faults.allSatisfy { $0.kind != .clockSkew || abs($0.clockOffsetSeconds) == 1 }
        })
    }

    @Test("a clock skew falls on the serving node that leads the most cells, as a pause does")
    func clockSkewTargets() {
        let skew = ChaosFault(kind: .clockSkew, node: 1, start: .zero, hold: .seconds(1), clockOffsetSeconds: -300)
        #expect(skew.target(serving: [1, 2, 3], leading: [2: 3, 3: 1]) == 2)
        #expect(skew.target(serving: [1, 3], leading: [:]) == 1)
    }

    @Test("a schedule without clock skews draws as before they were added: seed 4 over 5 s is still a pause, a stall, a kill")
    func otherKindsUnchanged() {
        var options = ChaosScheduleOptions()
        options.length = .seconds(5)
        let faults = ChaosSchedule(seed: 4, options: options).faults
        #expect(faults.map(\.kind) == [.pause, .stall, .kill], "\(faults)")
    }

    @Test("libfaketime runs a node with its wall clock off by a signed offset, its monotonic clock left alone")
    func fakeTimeWrapper() {
        let fakeTime = FakeTime(library: "/lib/libfaketime.so.1")
        #expect(fakeTime.wrapper(offsetSeconds: -300) == [
            "/usr/bin/env", "LD_PRELOAD=/lib/libfaketime.so.1", "FAKETIME=-300", "FAKETIME_DONT_FAKE_MONOTONIC=1",
        ])
        #expect(FakeTime.offsetText(42) == "+42" && FakeTime.offsetText(-1) == "-1")
        guard case .failure(let failure) = FakeTime.locate(paths: ["/nonexistent/libfaketime.so.1"]) else {
            Issue.record("found a library where none is")
            return
        }
        #expect(failure.message.contains("apt-get install faketime") && failure.message.contains("/nonexistent/libfaketime.so.1"))
    }
}
