import ColonyClient
import GRPCCore

/// On the client port: the `CallID` a call that carries no request header came with, for
/// as long as the call runs (its handler, and a streaming response's producer), so that its
/// refusal and its audit line name the id the client knows it by (`Authorizer.callName`).
/// An id that is missing or not one `CallID.isValid` takes is left out: the node then makes
/// one of its own.
struct CallIDReader: ServerInterceptor {
    /// The id of the call running in this task, if it came with a valid one.
    @TaskLocal static var current: String?

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        guard let id = request.metadata[stringValues: CallID.metadataKey].first(where: { _ in true }), CallID.isValid(id) else {
            return try await next(request, context)
        }
        var response = try await Self.$current.withValue(id) { try await next(request, context) }
        if case .success(var contents) = response.accepted {
            let producer = contents.producer
            contents.producer = { writer in try await Self.$current.withValue(id) { try await producer(writer) } }
            response.accepted = .success(contents)
        }
        return response
    }
}
