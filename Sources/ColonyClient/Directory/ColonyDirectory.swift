/// Where a colony keeps its own metadata: the *directory*, a reserved cell replicated like
/// any other, and the keys in it.
///
/// | key | value (JSON) |
/// |---|---|
/// | `node/0000000007` | node 7: addresses, zone, rack, color, state |
/// | `cell/NAME` | cell NAME: its placement, its members' client addresses (a discovery hint), a move in progress |
/// | `control/settings` | the control plane's switches: paused, moves per second |
/// | `control/status` | what the running control loop last did |
/// | `auth/policy` | who may do what: roles, grants, bindings, whether authorization is on (ColonyAuth's `AuthPolicy`) |
/// | `colony/formats` | the format level every node writes (`colony upgrade finish`; level 1 when absent) |
///
/// The records are typed in ColonyControl; the client reads only the hint (`clientAddresses`
/// of `cell/NAME`) to find a cell it has never seen. Nodes read only the policy, the format
/// level and the node records (where their peers are), which they cache and keep using while the directory is
/// unreachable, and check that every write to
/// the directory is the record its key names (ColonyNode's `ReservedCellWriteCheck`); a
/// client with a warm cache never needs the directory.
public enum ColonyDirectory {
    /// The directory cell's name. Names starting with `_` are reserved for the colony.
    public static let cell = "_directory"
    /// The prefix of node records.
    public static let nodePrefix = "node/"
    /// The prefix of cell records.
    public static let cellPrefix = "cell/"
    /// The key of the control settings.
    public static let settingsKey = "control/settings"
    /// The key of the control loop's status.
    public static let statusKey = "control/status"
    /// The key of the authorization policy.
    public static let policyKey = "auth/policy"
    /// The key of the format level the colony's nodes write.
    public static let formatsKey = "colony/formats"

    /// The key of node `id`'s record: its id in ten digits, so records list in id order.
    public static func nodeKey(_ id: UInt32) -> String {
        let digits = String(id)
        return nodePrefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    /// The key of cell `name`'s record.
    public static func cellKey(_ name: String) -> String {
        cellPrefix + name
    }

    /// Whether `name` is reserved for the colony's own cells (it starts with `_`); user cells
    /// may not take such names.
    public static func isReserved(_ name: String) -> Bool {
        name.hasPrefix("_")
    }
}
