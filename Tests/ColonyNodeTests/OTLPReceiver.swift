import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// An OpenTelemetry collector as small as a test needs: it serves OTLP/gRPC's
/// `TraceService/Export` on a loopback port, reads the spans out of each export with a
/// protobuf walk of its own (the fields below, nothing else), and keeps them.
final class OTLPReceiver: Sendable {
    /// One received span.
    struct Span: Hashable, Sendable {
        /// The exporting service's `service.name`.
        var service: String
        var traceID: String
        var spanID: String
        /// Empty for a root span.
        var parentSpanID: String
        var name: String
        var startNanoseconds: UInt64
        var endNanoseconds: UInt64
        /// String attributes of the span.
        var attributes: [String: String]
        /// The span's status: 0 unset, 1 ok, 2 error (OTLP's `Status.StatusCode`).
        var statusCode: UInt64 = 0
        /// The status's message.
        var statusMessage = ""

        var milliseconds: Double { Double(endNanoseconds &- startNanoseconds) / 1_000_000 }
    }

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let serving: Task<Void, any Error>
    private let store = SpanStore()
    /// `http://127.0.0.1:PORT`, for the exporters.
    let endpoint: String

    /// Starts serving on a free loopback port.
    init() async throws {
        let store = store
        let server = GRPCServer(
            transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext),
            services: [TraceService(store: store)])
        self.server = server
        serving = Task { try await server.serve() }
        guard let address = try await server.listeningAddress?.ipv4 else { throw RPCError(code: .unavailable, message: "no port") }
        endpoint = "http://127.0.0.1:\(address.port)"
    }

    /// Every span received so far.
    var spans: [Span] { store.all }

    /// Stops serving.
    func stop() async {
        server.beginGracefulShutdown()
        _ = await serving.result
    }
}

private final class SpanStore: @unchecked Sendable {
    private let lock = NSLock()
    private var spans: [OTLPReceiver.Span] = []

    func add(_ more: [OTLPReceiver.Span]) { lock.withLock { spans += more } }
    var all: [OTLPReceiver.Span] { lock.withLock { spans } }
}

/// `opentelemetry.proto.collector.trace.v1.TraceService`, its one method, on raw bytes.
private struct TraceService: RegistrableRPCService {
    let store: SpanStore

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        let store = store
        router.registerHandler(
            forMethod: MethodDescriptor(fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export"),
            deserializer: RawBytes(), serializer: RawBytes()
        ) { request, _ in
            for try await message in request.messages {
                store.add(try ExportRequest.spans(message))
            }
            // ExportTraceServiceResponse with no partial success: no fields at all.
            return StreamingServerResponse(single: ServerResponse(message: []))
        }
    }
}

private struct RawBytes: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}

/// The fields of an `ExportTraceServiceRequest` the test reads:
/// request { 1: ResourceSpans* } ResourceSpans { 1: Resource, 2: ScopeSpans* }
/// Resource { 1: KeyValue* } ScopeSpans { 2: Span* } KeyValue { 1: key, 2: AnyValue { 1: string } }
/// Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name, 7: start (fixed64), 8: end (fixed64), 9: KeyValue*,
/// 15: Status { 2: message, 3: code } }
private enum ExportRequest {
    struct Malformed: Error {}

    static func spans(_ bytes: [UInt8]) throws -> [OTLPReceiver.Span] {
        var spans: [OTLPReceiver.Span] = []
        for (field, resourceSpans) in try fields(bytes[...]) where field == 1 {
            var service = ""
            var scopes: [ArraySlice<UInt8>] = []
            for (field, value) in try fields(resourceSpans.bytes) {
                if field == 1 { service = try attributes(value.bytes, field: 1)["service.name"] ?? "" }
                if field == 2 { scopes.append(value.bytes) }
            }
            for scope in scopes {
                for (field, span) in try fields(scope) where field == 2 {
                    spans.append(try self.span(span.bytes, service: service))
                }
            }
        }
        return spans
    }

    private static func span(_ bytes: ArraySlice<UInt8>, service: String) throws -> OTLPReceiver.Span {
        var span = OTLPReceiver.Span(
            service: service, traceID: "", spanID: "", parentSpanID: "", name: "", startNanoseconds: 0, endNanoseconds: 0, attributes: [:])
        for (field, value) in try fields(bytes) {
            switch field {
            case 1: span.traceID = hex(value.bytes)
            case 2: span.spanID = hex(value.bytes)
            case 4: span.parentSpanID = hex(value.bytes)
            case 5: span.name = String(decoding: value.bytes, as: UTF8.self)
            case 7: span.startNanoseconds = value.number
            case 8: span.endNanoseconds = value.number
            case 15:
                for (field, status) in try fields(value.bytes) {
                    if field == 2 { span.statusMessage = String(decoding: status.bytes, as: UTF8.self) }
                    if field == 3 { span.statusCode = status.number }
                }
            default: break
            }
        }
        span.attributes = try attributes(bytes, field: 9)
        return span
    }

    /// The string-valued KeyValues under `field` of `bytes`.
    private static func attributes(_ bytes: ArraySlice<UInt8>, field wanted: UInt64) throws -> [String: String] {
        var found: [String: String] = [:]
        for (field, keyValue) in try fields(bytes) where field == wanted {
            var key = ""
            var text: String?
            for (field, value) in try fields(keyValue.bytes) {
                if field == 1 { key = String(decoding: value.bytes, as: UTF8.self) }
                if field == 2 {
                    for (field, any) in try fields(value.bytes) where field == 1 { text = String(decoding: any.bytes, as: UTF8.self) }
                }
            }
            if let text { found[key] = text }
        }
        return found
    }

    private struct Value {
        var bytes: ArraySlice<UInt8> = []
        var number: UInt64 = 0
    }

    /// The fields of one message, in order: length-delimited ones as bytes, numbers as numbers.
    private static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(UInt64, Value)] {
        var fields: [(UInt64, Value)] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let tag = try varint(bytes, &index)
            var value = Value()
            switch tag & 7 {
            case 0: value.number = try varint(bytes, &index)
            case 1:
                guard bytes.endIndex - index >= 8 else { throw Malformed() }
                value.number = bytes[index..<index + 8].reversed().reduce(0) { $0 << 8 | UInt64($1) }
                index += 8
            case 2:
                let length = try varint(bytes, &index)
                guard length <= UInt64(bytes.endIndex - index) else { throw Malformed() }
                value.bytes = bytes[index..<index + Int(length)]
                index += Int(length)
            case 5:
                guard bytes.endIndex - index >= 4 else { throw Malformed() }
                index += 4
            default: throw Malformed()
            }
            fields.append((tag >> 3, value))
        }
        return fields
    }

    private static func varint(_ bytes: ArraySlice<UInt8>, _ index: inout Int) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw Malformed()
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
