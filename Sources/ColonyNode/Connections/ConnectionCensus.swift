/// The connections a node holds on its listening ports, by port and remote address, and the
/// decision whether one more may come in. A pure value: `ConnectionBudget` owns it, under a
/// lock, and does the IO.
///
/// The connections all ports may hold together, `totalMax`, is what the process's open file
/// limit leaves after the descriptors kept free. Each port gets a share of it of its own — its
/// `connectionsMax`, or, when the ports' limits add up to more than `totalMax`, a part of
/// `totalMax` in proportion to its limit — so a flood on one port never takes the room peers
/// or monitoring need on the others, and the node never reaches its open file limit.
///
/// A connection is admitted while its address is below the port's per-address limit and the
/// port below its share.
struct ConnectionCensus {
    /// Each port's limits.
    let limits: [ListeningPort: ConnectionLimits]
    /// The most connections open on all ports together.
    let totalMax: Int
    /// The most connections open on each port: its limit, or its part of `totalMax`.
    let shares: [ListeningPort: Int]
    private var open: [ListeningPort: Int] = [:]
    private var byAddress: [ListeningPort: [String: Int]] = [:]

    init(limits: [ListeningPort: ConnectionLimits], totalMax: Int) {
        precondition(ListeningPort.allCases.allSatisfy { limits[$0] != nil }, "Invalid state: every port has its limits")
        self.limits = limits
        self.totalMax = totalMax
        let wanted = limits.values.reduce(0) { $0 + $1.connectionsMax }
        shares = limits.mapValues { limits in
            wanted <= totalMax ? limits.connectionsMax : limits.connectionsMax * max(totalMax, 0) / wanted
        }
    }

    /// Connections open on all ports together.
    var total: Int {
        open.values.reduce(0, +)
    }

    /// Connections open on `port`.
    func openCount(on port: ListeningPort) -> Int {
        open[port] ?? 0
    }

    /// Connections open on `port` from `address`.
    func openCount(on port: ListeningPort, from address: String) -> Int {
        byAddress[port]?[address] ?? 0
    }

    /// Admits a new connection to `port` from `address` and counts it, or says which limit
    /// refuses it.
    mutating func admit(on port: ListeningPort, from address: String) -> ConnectionAdmission {
        guard let limits = limits[port], let share = shares[port] else {
            preconditionFailure("Invalid state: every port has its limits")
        }
        if openCount(on: port, from: address) >= limits.connectionsPerAddressMax { return .refused(.addressLimit) }
        if openCount(on: port) >= share {
            return .refused(share < limits.connectionsMax ? .descriptorLimit : .portLimit)
        }
        open[port, default: 0] += 1
        byAddress[port, default: [:]][address, default: 0] += 1
        return .admitted
    }

    /// Counts out an admitted connection that closed.
    mutating func release(on port: ListeningPort, from address: String) {
        let fromAddress = openCount(on: port, from: address)
        precondition(fromAddress > 0 && openCount(on: port) > 0, "Invalid state: a connection released twice")
        byAddress[port]?[address] = fromAddress == 1 ? nil : fromAddress - 1
        open[port, default: 0] -= 1
    }
}

/// Whether a new connection may come in.
enum ConnectionAdmission: Hashable, Sendable {
    /// It may; it is counted until it closes.
    case admitted
    /// It is closed at once, for this reason.
    case refused(ConnectionRefusal)
}

/// Which limit refused a connection; the raw value labels the refusal metric.
enum ConnectionRefusal: String, Hashable, Sendable, CaseIterable {
    /// Its remote address holds the port's per-address limit already.
    case addressLimit = "address_limit"
    /// The port holds its limit already.
    case portLimit = "port_limit"
    /// The port holds its share of the connections the open file limit leaves room for,
    /// which is below its own limit.
    case descriptorLimit = "descriptor_limit"
}
