import ColonyAuth
import ColonyCore
import Testing
@testable import ColonyNode

/// What each cell operation asks of authorization: which access, on which keys.
@Suite("cell operations as authorization judges them")
struct AuthOperationMappingTests {
    @Test("single-key operations name their key, a listing its prefix (none: every key), a transaction every key it names, reads included")
    func keys() {
        #expect(AuthOperation(.get("a/1"), cell: "c") == .read(cell: "c", keys: .key("a/1")))
        #expect(AuthOperation(.list(prefix: "a/", limit: 10), cell: "c") == .read(cell: "c", keys: .prefix("a/")))
        #expect(AuthOperation(.list(prefix: "", limit: 10), cell: "c") == .read(cell: "c", keys: .every))
        #expect(AuthOperation(.put("a/1", []), cell: "c") == .write(cell: "c", keys: .key("a/1")))
        #expect(AuthOperation(.delete("a/1"), cell: "c") == .write(cell: "c", keys: .key("a/1")))
        #expect(AuthOperation(.increment("n", by: 1), cell: "c") == .write(cell: "c", keys: .key("n")))
        #expect(AuthOperation(.compareAndSet("a/1", expected: .absent, value: []), cell: "c") == .write(cell: "c", keys: .key("a/1")))
        let transaction = Transaction(
            conditions: [.exists("x/guard", true)], success: [.get("x/read"), .put("x/1", [])], failure: [.delete("y/2")])
        #expect(AuthOperation(.transaction(transaction), cell: "c") == .write(cell: "c", keys: .keys(["x/guard", "x/read", "x/1", "y/2"])))
    }
}
