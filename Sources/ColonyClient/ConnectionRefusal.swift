import Foundation
import GRPCCore
import NIOCore

/// A connection to a node's address that was refused (ECONNREFUSED), found among an error's
/// causes: nothing listens there, the node is down or restarting, and no request was sent.
enum ConnectionRefusal {
    /// How deep the chain of causes is searched.
    static let causeDepthMax = 8

    /// Whether `error` is, or was caused by, a refused connection. Only `connect` reports
    /// ECONNREFUSED on a TCP socket (a connection reset later is ECONNRESET), so an error
    /// that carries it belongs to a connection that never opened.
    static func isRefusal(_ error: any Error) -> Bool {
        var current: (any Error)? = error
        for _ in 0..<causeDepthMax {
            switch current {
            case let failure as IOError:
                return failure.errnoCode == ECONNREFUSED
            case let rpc as RPCError:
                current = rpc.cause
            case let runtime as RuntimeError:
                current = runtime.cause
            default:
                return false
            }
        }
        return false
    }

    /// The attempt's problem, in words.
    static func problem(at target: String) -> String {
        "\(target): connection refused (no node listens there: it is down or restarting)"
    }
}
