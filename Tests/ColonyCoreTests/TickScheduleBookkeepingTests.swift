@testable import ColonyCore
import Testing

/// `TickSchedule` by itself: a replica is ticked once at its due tick however often it was
/// filed, a due tick moves earlier but never later in place, and a replica keeps its due tick
/// when the host moves it into a removed replica's position.
@Suite("the tick schedule's bookkeeping")
struct TickScheduleBookkeepingTests {
    /// The positions ticked at host tick `now`, as the host takes them.
    static func ticked(_ schedule: inout TickSchedule, at now: UInt64) -> [Int] {
        var ticked: [Int] = []
        for position in schedule.takeFiled(now: now) where schedule.isDue(position, now: now) && !ticked.contains(position) {
            ticked.append(position)
            schedule.file(position, dueIn: 5, now: now)
        }
        return ticked
    }

    @Test("a started replica is due at the next tick, once, and filed again after")
    func startedReplicaIsDueOnce() {
        var schedule = TickSchedule()
        schedule.append()
        schedule.start(0, now: 10)
        schedule.file(0, dueIn: 1, now: 10)
        #expect(Self.ticked(&schedule, at: 11) == [0])
        #expect(schedule.takeFiled(now: 11).isEmpty)
        #expect(!schedule.isDue(0, now: 12))
        #expect(schedule.isDue(0, now: 16))
    }

    @Test("a due tick moves earlier in place; a later one waits for the filed tick")
    func dueTickMovesOnlyEarlier() {
        var schedule = TickSchedule()
        schedule.append()
        schedule.start(0, now: 0)
        #expect(Self.ticked(&schedule, at: 1) == [0])
        schedule.file(0, dueIn: 2, now: 1)
        #expect(schedule.isDue(0, now: 3))
        schedule.file(0, dueIn: 50, now: 2)
        #expect(schedule.isDue(0, now: 3), "a later timer waits for the tick filed")
        schedule.file(0, dueIn: nil, now: 3)
        #expect(!schedule.isDue(0, now: 3), "a replica ticked at its due tick is filed anew")
        #expect(Self.ticked(&schedule, at: 3).isEmpty)
    }

    @Test("a resting replica is not ticked, and its clock does not move")
    func restingReplicaIsNotTicked() {
        var schedule = TickSchedule()
        schedule.append()
        schedule.start(0, now: 0)
        schedule.stop(0)
        #expect(Self.ticked(&schedule, at: 1).isEmpty)
        #expect(schedule.sync(0, now: 7) == 0)
        schedule.start(0, now: 7)
        #expect(schedule.sync(0, now: 9) == 2)
    }

    @Test("the replica moved into a removed one's position keeps its due tick")
    func movedReplicaKeepsItsDueTick() {
        var schedule = TickSchedule()
        for position in 0..<3 {
            schedule.append()
            schedule.start(position, now: 0)
        }
        #expect(Self.ticked(&schedule, at: 1) == [0, 1, 2])
        schedule.file(2, dueIn: 1, now: 1)
        schedule.stop(0)
        schedule.remove(at: 0)
        #expect(Self.ticked(&schedule, at: 2) == [0], "the last replica, now at position 0")
        #expect(Self.ticked(&schedule, at: 6) == [1])
    }
}
