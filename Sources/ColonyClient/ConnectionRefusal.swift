import Foundation
import NIOCore

/// A connection to a node's address that was refused (ECONNREFUSED), found among an error's
/// causes: nothing listens there, the node is down or restarting, and no request was sent.
enum ConnectionRefusal {
    /// Whether `error` is, or was caused by, a refused connection. Only `connect` reports
    /// ECONNREFUSED on a TCP socket (a connection reset later is ECONNRESET), so an error
    /// that carries it belongs to a connection that never opened.
    static func isRefusal(_ error: any Error) -> Bool {
        ErrorCauses.chain(error).contains { ($0 as? IOError)?.errnoCode == ECONNREFUSED }
    }

    /// The attempt's problem, in words.
    static func problem(at target: String) -> String {
        "\(target): connection refused (no node listens there: it is down or restarting)"
    }
}
