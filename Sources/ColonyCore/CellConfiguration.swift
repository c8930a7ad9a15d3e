/// Who keeps a cell, from which slot on, under which limits.
///
/// A configuration is chosen through the cell's own log. Epoch 1 is the configuration
/// the cell was created with; each membership change that is applied ends the current
/// epoch at the slot that carried it and starts the next epoch at the following slot.
public struct CellConfiguration: Hashable, Sendable, CustomStringConvertible {
    /// The fewest replicas a cell may have.
    public static let membersMin = 3
    /// The most replicas a cell may have.
    public static let membersMax = 9

    /// The configuration's number; it grows by one on every applied membership change.
    public var epoch: Epoch
    /// The nodes holding a replica, in ascending order, without repeats.
    public private(set) var members: [NodeID]
    /// The first slot governed by this configuration.
    public var startSlot: Slot
    /// The size limits every replica enforces.
    public var limits: CellLimits

    /// Makes a configuration after checking the member list.
    public init(epoch: Epoch, members: [NodeID], startSlot: Slot, limits: CellLimits = .standard)
        throws(ConfigurationError)
    {
        let sorted = members.sorted()
        for index in sorted.indices.dropFirst() where sorted[index] == sorted[index - 1] {
            throw .duplicateMember(sorted[index])
        }
        guard sorted.count >= Self.membersMin, sorted.count <= Self.membersMax, sorted.count % 2 == 1 else {
            throw .badMemberCount(sorted.count)
        }
        guard startSlot >= 1, startSlot < Slot.max else { throw .badStartSlot(startSlot) }
        self.epoch = epoch
        self.members = sorted
        self.startSlot = startSlot
        self.limits = limits
    }

    /// How many members make a majority: any two majorities share a member.
    public var quorum: Int { members.count / 2 + 1 }

    /// Whether `node` holds a replica in this configuration.
    public func contains(_ node: NodeID) -> Bool {
        members.contains(node)
    }

    /// The configuration that follows this one when `change` is applied at `slot`.
    ///
    /// A change that removes and adds the same member *renews* it: the members stay, and the
    /// new epoch lets a replica that lost its stored state vote again safely.
    public func applying(_ change: MembershipChange, at slot: Slot) throws(ConfigurationError) -> CellConfiguration {
        guard contains(change.remove) else { throw .notAMember(change.remove) }
        if change.isRenewal {
            return try CellConfiguration(epoch: epoch + 1, members: members, startSlot: slot + 1, limits: limits)
        }
        guard !contains(change.add) else { throw .alreadyAMember(change.add) }
        var next = members
        next.removeAll { $0 == change.remove }
        next.append(change.add)
        return try CellConfiguration(epoch: epoch + 1, members: next, startSlot: slot + 1, limits: limits)
    }

    public var description: String {
        "epoch \(epoch) from slot \(startSlot): [\(members.map(\.description).joined(separator: ","))]"
    }
}

/// Replaces one member of a cell by another node (or renews one member, when both are the
/// same node): the one membership change a cell knows.
public struct MembershipChange: Hashable, Sendable, CustomStringConvertible {
    /// The node whose replica leaves.
    public var remove: NodeID
    /// The node that gets a new replica.
    public var add: NodeID

    /// Makes the change "replace `remove` by `add`".
    public init(remove: NodeID, add: NodeID) {
        self.remove = remove
        self.add = add
    }

    /// Whether the change renews one member rather than replacing it.
    public var isRenewal: Bool { remove == add }

    public var description: String { isRenewal ? "renew \(remove)" : "replace \(remove) by \(add)" }
}

/// Why a configuration or a membership change is not valid.
public enum ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The member list named a node twice.
    case duplicateMember(NodeID)
    /// The member count was even, or outside 3...9.
    case badMemberCount(Int)
    /// The change removes a node that is not a member.
    case notAMember(NodeID)
    /// The change adds a node that is already a member.
    case alreadyAMember(NodeID)
    /// A configuration must start at a slot from 1 to below the largest slot.
    case badStartSlot(Slot)

    public var description: String {
        switch self {
        case .duplicateMember(let node):
            return "node \(node) is named twice among the members"
        case .badMemberCount(let count):
            return "a cell needs an odd number of replicas from \(CellConfiguration.membersMin) to \(CellConfiguration.membersMax), not \(count)"
        case .notAMember(let node):
            return "node \(node) is not a member of the cell, so it cannot be removed"
        case .alreadyAMember(let node):
            return "node \(node) is already a member of the cell"
        case .badStartSlot(let slot):
            return "a configuration cannot start at slot \(slot)"
        }
    }
}
