import NIOCore
import NIOHTTP1

/// One answer of the admin endpoint.
struct AdminResponse: Sendable, Equatable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: [UInt8]

    static func text(_ status: HTTPResponseStatus, _ text: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// What the admin endpoint serves, apart from HTTP: each path to the answer it gets.
///
/// - `/metrics`: the node's figures in Prometheus' text format.
/// - `/health`: `200 serving` while the node serves; `503` with the reason once it stops.
/// - `/status` (and `/`): a page for people: the node's replicas, their leaders, how far each
///   lags behind what its cell has chosen, and damaged replicas first. The same as one JSON
///   object with `?format=json` or `Accept: application/json`.
///
/// Read-only: GET and HEAD only.
struct AdminRoutes: Sendable {
    /// The node's metrics, rendered once the gauges are current.
    let metrics: @Sendable () -> EventLoopFuture<[UInt8]>
    /// Whether the node serves; the reason if not.
    let health: @Sendable () -> String?
    /// The node's status, read where the replicas live.
    let status: @Sendable () -> EventLoopFuture<NodeStatus>

    /// The answer to `method` on `uri`, for a client that accepts `accept` (the request's
    /// Accept header, if it sent one).
    func respond(to method: HTTPMethod, uri: String, accept: String? = nil, on loop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        guard method == .GET || method == .HEAD else {
            return loop.makeSucceededFuture(.text(.methodNotAllowed, "the admin endpoint is read-only: use GET\n"))
        }
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? uri
        let query = parts.count > 1 ? parts[1].split(separator: "&").map(String.init) : []
        let wantsJSON = query.contains("format=json") || accept?.contains("application/json") == true
        switch path {
        case "/metrics":
            return metrics().hop(to: loop).map {
                AdminResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: $0)
            }
        case "/health":
            if let problem = health() {
                return loop.makeSucceededFuture(.text(.serviceUnavailable, "not serving: \(problem)\n"))
            }
            return loop.makeSucceededFuture(.text(.ok, "serving\n"))
        case "/status", "/":
            return status().hop(to: loop).map { status in
                wantsJSON
                    ? AdminResponse(status: .ok, contentType: "application/json", body: status.json)
                    : .text(.ok, status.description + "\n")
            }
        default:
            return loop.makeSucceededFuture(.text(.notFound, "no page \(path); try /status, /health or /metrics\n"))
        }
    }
}
