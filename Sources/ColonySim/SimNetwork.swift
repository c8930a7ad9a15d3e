import ColonyCore

/// A link from one node to another, in one direction.
struct DirectedLink: Hashable {
    var from: NodeID
    var to: NodeID
}

/// The simulated network between nodes: delays drawn from the run's generator, and the
/// faults currently in force. Blocked links are counted, so two faults that cut the same
/// link do not restore it when only one of them heals.
struct SimNetwork {
    private var blockedCounts: [DirectedLink: Int] = [:]
    /// Percent of messages dropped.
    var lossPercent: UInt64 = 0
    /// Percent of messages delivered twice.
    var duplicatePercent: UInt64 = 0
    /// Percent of messages held back to arrive late.
    var reorderPercent: UInt64 = 0

    /// The shortest and longest ordinary one-way delay.
    let delayMin: UInt64 = 100_000
    let delayMax: UInt64 = 2 * Nanoseconds.millisecond
    /// The longest extra delay of a held-back message.
    let reorderDelayMax: UInt64 = 80 * Nanoseconds.millisecond

    func isBlocked(_ link: DirectedLink) -> Bool {
        blockedCounts[link, default: 0] > 0
    }

    mutating func block(_ link: DirectedLink) {
        blockedCounts[link, default: 0] += 1
    }

    mutating func unblock(_ link: DirectedLink) {
        guard let count = blockedCounts[link] else { return }
        blockedCounts[link] = count > 1 ? count - 1 : nil
    }

    /// The delivery delays of one message: empty when it is lost, two when it is duplicated.
    func deliveryDelays(using random: inout SplitMix64) -> [UInt64] {
        if lossPercent > 0, random.next() % 100 < lossPercent { return [] }
        var delays = [delay(using: &random)]
        if duplicatePercent > 0, random.next() % 100 < duplicatePercent {
            delays.append(delay(using: &random))
        }
        return delays
    }

    private func delay(using random: inout SplitMix64) -> UInt64 {
        var delay = delayMin + random.next() % (delayMax - delayMin + 1)
        if reorderPercent > 0, random.next() % 100 < reorderPercent {
            delay += random.next() % reorderDelayMax
        }
        return delay
    }

    /// A client's request or reply: ordinary delay, and the loss in force.
    func clientDelay(using random: inout SplitMix64) -> UInt64? {
        if lossPercent > 0, random.next() % 100 < lossPercent { return nil }
        return delayMin + random.next() % (delayMax - delayMin + 1)
    }
}
