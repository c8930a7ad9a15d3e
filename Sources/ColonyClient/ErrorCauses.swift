import GRPCCore

/// An error and the errors beneath it, as gRPC wraps them: an RPC error's cause, a runtime
/// error's cause.
enum ErrorCauses {
    /// How deep the chain of causes is followed.
    static let depthMax = 8

    /// `error`, then its cause, its cause's cause, and so on: outermost first, at most
    /// `depthMax`, ending at the first error that wraps none.
    static func chain(_ error: any Error) -> [any Error] {
        var chain: [any Error] = []
        var current: (any Error)? = error
        while let error = current, chain.count < depthMax {
            chain.append(error)
            switch error {
            case let rpc as RPCError: current = rpc.cause
            case let runtime as RuntimeError: current = runtime.cause
            default: current = nil
            }
        }
        return chain
    }
}
