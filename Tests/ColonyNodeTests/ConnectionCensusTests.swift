import NIOCore
import Testing
@testable import ColonyNode

/// The pure rules a node admits connections by, and how it logs a flood of refusals.
@Suite("the rules a node admits connections by, before anyone is authenticated")
struct ConnectionCensusTests {
    static let limits: [ListeningPort: ConnectionLimits] = [
        .peer: ConnectionLimits(connectionsMax: 4, connectionsPerAddressMax: 2, handshakeTimeout: .seconds(1), idleTimeout: .seconds(1)),
        .client: ConnectionLimits(connectionsMax: 5, connectionsPerAddressMax: 3, handshakeTimeout: .seconds(1), idleTimeout: .seconds(1)),
        .admin: ConnectionLimits(connectionsMax: 1, connectionsPerAddressMax: 1, handshakeTimeout: .seconds(1), idleTimeout: .seconds(1)),
    ]

    @Test("one address cannot take a whole port, and a port holds at most its limit")
    func limitsInOrder() {
        var census = ConnectionCensus(limits: Self.limits, totalMax: 100)
        for _ in 0..<3 { #expect(census.admit(on: .client, from: "10.0.0.1") == .admitted) }
        #expect(census.admit(on: .client, from: "10.0.0.1") == .refused(.addressLimit))
        #expect(census.admit(on: .client, from: "10.0.0.2") == .admitted)
        #expect(census.admit(on: .client, from: "10.0.0.3") == .admitted)
        #expect(census.admit(on: .client, from: "10.0.0.4") == .refused(.portLimit))
        #expect(census.admit(on: .peer, from: "10.0.0.4") == .admitted)
        census.release(on: .client, from: "10.0.0.1")
        #expect(census.admit(on: .client, from: "10.0.0.4") == .admitted)
        #expect(census.openCount(on: .client) == 5 && census.openCount(on: .client, from: "10.0.0.1") == 2)
        #expect(census.total == 6)
    }

    @Test("when the open file limit leaves less room than the ports' limits, each port gets its share, so a flood on one leaves the others room")
    func descriptorShares() {
        var census = ConnectionCensus(limits: Self.limits, totalMax: 5)
        // The limits add up to 10: each port gets half of its own.
        #expect(census.shares == [.client: 2, .peer: 2, .admin: 0])
        #expect(census.admit(on: .client, from: "10.0.0.1") == .admitted)
        #expect(census.admit(on: .client, from: "10.0.0.2") == .admitted)
        #expect(census.admit(on: .client, from: "10.0.0.3") == .refused(.descriptorLimit))
        #expect(census.admit(on: .peer, from: "10.0.0.3") == .admitted)
        #expect(census.admit(on: .admin, from: "10.0.0.3") == .refused(.descriptorLimit))
        #expect(ConnectionCensus(limits: Self.limits, totalMax: 0).shares.values.allSatisfy { $0 == 0 })
    }

    @Test("refusals are counted between log lines, one line per interval at most")
    func rateLimitedLog() {
        var log = ConnectionEventLog(interval: .seconds(10))
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        #expect(log.record(.refused(.portLimit), now: start) == [.refused(.portLimit): 1])
        for second in 1...9 {
            #expect(log.record(.refused(.addressLimit), now: start + .seconds(Int64(second))) == nil)
        }
        #expect(log.record(.handshakeTimedOut, now: start + .milliseconds(9_999)) == nil)
        #expect(log.record(.refused(.addressLimit), now: start + .seconds(10)) == [.refused(.addressLimit): 10, .handshakeTimedOut: 1])
        #expect(log.record(.idleTimedOut, now: start + .seconds(11)) == nil)
    }
}
