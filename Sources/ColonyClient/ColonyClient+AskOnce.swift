import ColonyAPI
import GRPCCore

/// What one node said when asked once, with no retry and no redirect followed.
public enum SingleAnswer: Hashable, Sendable {
    /// It hosts no replica of the cell (and, for the directory, knows of none).
    case hostsNone
    /// It answered anything else: the record, or an error naming the cell (it hosts a
    /// replica, leads none, or knows the cell exists), in words.
    case answered(String)
    /// No answer: the connection failed, was refused, or the call timed out, in words.
    case silent(String)
}

extension ColonyClient {
    /// Asks the node at `address` once for `key` of `cell`, a linearizable Get within `timeout`.
    public func askOnce(_ address: String, cell: String, key: String, timeout: Duration) async -> SingleAnswer {
        var options = ColonyClient.callOptions
        options.timeout = timeout
        var request = Colony_V1_GetRequest()
        request.header.cell = cell
        // A read opens no session: any id names it, with the first sequence.
        request.header.clientID = clientID
        request.header.sequence = 1
        request.key = key
        do {
            let node = try connection(address)
            let reply = try await Colony_V1_GetReply.inBand { [options, request] in try await node.client.get(request, options: options) }
            guard reply.hasError else { return .answered("it answered from the cell") }
            if reply.error.code == .cellNotFound, !reply.error.cellDeleted { return .hostsNone }
            return .answered(reply.error.message)
        } catch {
            return .silent(TLSFailure(error).map { "\($0)" } ?? "\(error)")
        }
    }
}
