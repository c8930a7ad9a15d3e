import Foundation
import GRPCCore
import NIOCore
import Testing
@testable import ColonyClient

/// A refused connection, told from the errors gRPC wraps it in.
@Suite("a refused connection")
struct ConnectionRefusalTests {
    @Test("ECONNREFUSED under gRPC's unavailable is a refusal; a connection reset or a timeout is not")
    func refusalAmongCauses() {
        let refused = IOError(errnoCode: ECONNREFUSED, reason: "connection reset (error set)")
        let wrapped = RPCError(
            code: .unavailable, message: "Channel is in a transient failure state and 'wait for ready' isn't enabled.",
            cause: RPCError(code: .unavailable, message: "Could not establish a connection to [ipv4]127.0.0.1:9.", cause: refused))
        #expect(ConnectionRefusal.isRefusal(wrapped))
        #expect(ConnectionRefusal.isRefusal(refused))
        let reset = RPCError(code: .unavailable, message: "stream reset", cause: IOError(errnoCode: ECONNRESET, reason: "read"))
        #expect(!ConnectionRefusal.isRefusal(reset))
        #expect(!ConnectionRefusal.isRefusal(RPCError(code: .deadlineExceeded, message: "RPC timed out before completing")))
    }
}
