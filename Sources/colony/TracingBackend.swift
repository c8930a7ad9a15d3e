import ColonyNode
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// The executable's one place that makes a real tracer: OpenTelemetry's, exporting spans over
/// OTLP/gRPC in batches. Libraries take the tracer as a parameter (`ColonyClient.Policy.tracer`,
/// `ColonyNodeServer.Options.tracer`); nothing here bootstraps the process-global
/// `InstrumentationSystem`, so several tracers (a test's colony of nodes, each with its own)
/// can live in one process.
enum TracingBackend {
    /// How long one export, and the last flush of a stopping process, may take: a collector
    /// that is down must not hold up a node's shutdown (its spans are then lost, as OTLP
    /// exporters lose them).
    static let exportTimeout = Duration.seconds(2)

    /// A tracer exporting to `tracing.endpoint` as `serviceName`, sampling new traces at the
    /// section's ratio and following a request's own decision otherwise; and the service that
    /// exports its spans, to run for as long as the tracer is used. Problems of the exporter
    /// go to `logger`.
    static func make(
        _ tracing: NodeTracing, serviceName: String, attributes: [String: String] = [:], logger: Logger
    ) throws -> (tracer: any Tracer, service: any Service) {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.resourceAttributes = attributes
        configuration.diagnosticLogger = .custom(logger)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .grpc
        configuration.traces.otlpExporter.endpoint = tracing.endpoint
        configuration.traces.otlpExporter.timeout = exportTimeout
        configuration.traces.batchSpanProcessor.exportTimeout = exportTimeout
        guard let sampler = OTel.Configuration.TracesConfiguration.SamplerConfiguration.parentBasedTraceIDRatio(ratio: tracing.effectiveSamplingRatio) else {
            preconditionFailure("Invalid state: a validated sampling ratio \(tracing.effectiveSamplingRatio) was refused")
        }
        configuration.traces.sampler = sampler
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        return (backend.factory, backend.service)
    }
}
