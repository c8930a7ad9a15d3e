/// What a replica holds for one slot of the log.
public struct LogEntry: Hashable, Sendable {
    /// The ballot under which the replica accepted the batch (or learned it was chosen).
    public var ballot: Ballot
    /// The slot's commands.
    public var batch: Batch
    /// Whether the replica knows the batch is the slot's chosen value.
    public var isChosen: Bool

    /// Makes a log entry.
    public init(ballot: Ballot, batch: Batch, isChosen: Bool) {
        self.ballot = ballot
        self.batch = batch
        self.isChosen = isChosen
    }
}

/// A log entry together with its slot, as messages carry it.
public struct SlotEntry: Hashable, Sendable {
    /// The slot.
    public var slot: Slot
    /// What the sender holds there.
    public var entry: LogEntry

    /// Pairs a slot with its entry.
    public init(slot: Slot, entry: LogEntry) {
        self.slot = slot
        self.entry = entry
    }
}

/// The entries a replica holds for the slots after its last snapshot, as a window of
/// consecutive slots (some may be empty: an accept that has not arrived).
struct ReplicaLog: Hashable, Sendable {
    /// The slot stored at index 0.
    private(set) var firstSlot: Slot
    private var slots: [LogEntry?] = []

    /// Makes an empty log whose first slot is `firstSlot`.
    init(firstSlot: Slot) {
        self.firstSlot = firstSlot
    }

    /// The slot after the last one stored.
    var endSlot: Slot { firstSlot + Slot(slots.count) }

    /// The entry at `slot`, if any.
    subscript(slot: Slot) -> LogEntry? {
        guard slot >= firstSlot, slot < endSlot else { return nil }
        return slots[Int(slot - firstSlot)]
    }

    /// Stores `entry` at `slot`, which must be at or after `firstSlot`.
    mutating func store(_ entry: LogEntry, at slot: Slot) {
        precondition(slot >= firstSlot, "slot \(slot) stored before log start \(firstSlot)")
        let index = Int(slot - firstSlot)
        if index >= slots.count {
            slots.append(contentsOf: repeatElement(nil, count: index - slots.count + 1))
        }
        slots[index] = entry
    }

    /// Forgets every slot up to and including `slot`.
    mutating func discard(through slot: Slot) {
        guard slot >= firstSlot else { return }
        let count = min(Int(slot - firstSlot + 1), slots.count)
        slots.removeFirst(count)
        firstSlot = slot + 1
        if slots.isEmpty { slots = [] }
    }

    /// Forgets every slot from `slot` on.
    mutating func discard(from slot: Slot) {
        guard slot < endSlot else { return }
        let keep = slot > firstSlot ? Int(slot - firstSlot) : 0
        slots.removeLast(slots.count - keep)
        if slots.isEmpty { slots = [] }
    }

    /// The stored entries with their slots, in slot order, from `slot` on.
    func entries(from slot: Slot) -> [SlotEntry] {
        var result: [SlotEntry] = []
        var current = max(slot, firstSlot)
        while current < endSlot {
            if let entry = slots[Int(current - firstSlot)] {
                result.append(SlotEntry(slot: current, entry: entry))
            }
            current += 1
        }
        return result
    }
}

extension ReplicaLog {
    /// Records that the entry at `slot` is the slot's chosen value.
    mutating func markChosen(_ slot: Slot) {
        guard var entry = self[slot], !entry.isChosen else { return }
        entry.isChosen = true
        store(entry, at: slot)
    }
}

extension ReplicaLog {
    /// Forgets every entry accepted under a ballot of an epoch before `epoch`: after a
    /// membership change, what the old epoch put past its stop sign never counts.
    mutating func discard(olderThan epoch: Epoch) {
        var kept = ReplicaLog(firstSlot: firstSlot)
        for item in entries(from: firstSlot) where item.entry.ballot.epoch >= epoch {
            kept.store(item.entry, at: item.slot)
        }
        self = kept
    }
}
