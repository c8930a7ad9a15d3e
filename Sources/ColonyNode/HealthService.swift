import ColonyAPI
import GRPCCore

/// The standard gRPC health service (`grpc.health.v1.Health`) on the client port, for load
/// balancers, Kubernetes probes and `grpc_health_probe`: SERVING while the node serves, and
/// NOT_SERVING from the moment it begins to stop (as `/health` on the admin port says).
///
/// It answers for the whole node (service "") and for each service of the client port;
/// any other name is NOT_FOUND. A watch gets the status at once, and NOT_SERVING once the
/// stopping node ends its client streams (after handing its leaderships on), then ends.
struct HealthService: Grpc_Health_V1_Health.SimpleServiceProtocol {
    /// The node's stop: begun means not serving.
    let stopped: StopLatch
    /// Fired when the node begins to stop.
    let stopping: StopSignal

    /// The services the health service answers for: the node ("") and its client port's.
    static let services: Set<String> = [
        "", Colony_V1_Colony.descriptor.fullyQualifiedService, Colony_V1_ColonyControl.descriptor.fullyQualifiedService,
        Grpc_Health_V1_Health.descriptor.fullyQualifiedService,
    ]

    func check(
        request: Grpc_Health_V1_HealthCheckRequest, context: ServerContext
    ) async throws -> Grpc_Health_V1_HealthCheckResponse {
        guard Self.services.contains(request.service) else {
            throw RPCError(code: .notFound, message: "this node serves no service \"\(request.service)\"; ask for \"\" or \(Self.named)")
        }
        return response(stopped.problem == nil ? .serving : .notServing)
    }

    func watch(
        request: Grpc_Health_V1_HealthCheckRequest, response: RPCWriter<Grpc_Health_V1_HealthCheckResponse>, context: ServerContext
    ) async throws {
        guard Self.services.contains(request.service) else {
            // As the protocol asks: unknown, and the call stays open (until the node stops).
            try await response.write(self.response(.serviceUnknown))
            await stopping.wait()
            return
        }
        if stopped.problem == nil {
            try await response.write(self.response(.serving))
            await stopping.wait()
        }
        try await response.write(self.response(.notServing))
    }

    private func response(_ status: Grpc_Health_V1_HealthCheckResponse.ServingStatus) -> Grpc_Health_V1_HealthCheckResponse {
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = status
        return response
    }

    private static var named: String {
        services.filter { !$0.isEmpty }.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
