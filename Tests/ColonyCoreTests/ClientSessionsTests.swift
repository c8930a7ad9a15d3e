@testable import ColonyCore
import Testing

@Suite("exactly-once writes through client sessions")
struct ClientSessionsTests {
    let client = ClientID(7)

    @Test("a retried request gets the first result; an older one is superseded")
    func duplicatesAndSupersededRequests() {
        var sessions = ClientSessions()
        let first = RequestID(client: client, sequence: 1)
        #expect(sessions.verdict(for: first, opensSession: true) == .apply)
        sessions.record(first, result: .success(.written(version: 4)), slot: 10, sessionsMax: 8)
        #expect(sessions.verdict(for: first, opensSession: true) == .duplicate(.success(.written(version: 4))))
        let third = RequestID(client: client, sequence: 3)
        #expect(sessions.verdict(for: third, opensSession: false) == .apply)
        sessions.record(third, result: .success(.deleted(existed: true)), slot: 11, sessionsMax: 8)
        #expect(sessions.verdict(for: RequestID(client: client, sequence: 2), opensSession: false) == .superseded)
    }

    @Test("a client the cell does not know may only open a session, else its outcome is unknown")
    func unknownClients() {
        let sessions = ClientSessions()
        #expect(sessions.verdict(for: RequestID(client: client, sequence: 5), opensSession: true) == .apply)
        #expect(sessions.verdict(for: RequestID(client: client, sequence: 5), opensSession: false) == .expired)
    }

    @Test("the least recently used session is forgotten first, the same way on every replica")
    func eviction() {
        var sessions = ClientSessions()
        for (index, slot) in [30, 10, 20].enumerated() {
            sessions.record(RequestID(client: ClientID(UInt64(index)), sequence: 1), result: .success(.deleted(existed: false)), slot: Slot(slot), sessionsMax: 2)
        }
        #expect(sessions.count == 2)
        #expect(sessions.verdict(for: RequestID(client: ClientID(1), sequence: 2), opensSession: false) == .expired)
        #expect(sessions.verdict(for: RequestID(client: ClientID(0), sequence: 2), opensSession: false) == .apply)
    }
}
