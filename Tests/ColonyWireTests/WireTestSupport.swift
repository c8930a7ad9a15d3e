import ColonyCore
import ColonyWire
import Testing

/// Encodes `value`, decodes it back, and expects the same value and, re-encoded, the same bytes.
func expectRoundTrip<Value: WireCodable & Equatable>(
    _ value: Value, seed: UInt64? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    let bytes = WireCodec.encode(value)
    do {
        let decoded = try WireCodec.decode(Value.self, from: bytes)
        #expect(decoded == value, "round trip changed the value (seed \(seed.map(String.init) ?? "none"))", sourceLocation: sourceLocation)
        #expect(WireCodec.encode(decoded) == bytes, sourceLocation: sourceLocation)
    } catch {
        Issue.record("\(Value.self) failed to decode its own encoding: \(error) (seed \(seed.map(String.init) ?? "none"))", sourceLocation: sourceLocation)
    }
}

/// The error decoding `bytes` as a `Value` throws, or nil when it decodes.
func decodingError<Value: WireDecodable>(
    _ type: Value.Type, _ bytes: [UInt8], limits: WireLimits = .standard
) -> WireError? {
    do {
        _ = try WireCodec.decode(type, from: bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Decodes `bytes` as a `Value`; whatever decodes must re-encode to exactly `bytes`, since
/// every value has one encoding. Returns whether it decoded.
@discardableResult
func expectCanonicalOrRefused<Value: WireCodable>(
    _ type: Value.Type, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) -> Bool {
    do {
        let value = try WireCodec.decode(type, from: bytes)
        #expect(WireCodec.encode(value) == bytes, "\(Value.self) accepted a second encoding: \(bytes)", sourceLocation: sourceLocation)
        return true
    } catch {
        return false
    }
}

/// The bytes of `build`'s writes, for crafting inputs by hand.
func bytes(_ build: (inout ByteWriter) -> Void) -> [UInt8] {
    var writer = ByteWriter()
    build(&writer)
    return writer.bytes
}

/// A small but complete cell state: keys, sessions holding a success and a failure, a configuration.
func sampleCellState() throws -> CellState {
    let configuration = try CellConfiguration(
        epoch: 4, members: [NodeID(1), NodeID(2), NodeID(3), NodeID(4), NodeID(5)], startSlot: 10
    )
    let store = try CellStore(revision: 9, items: [
        KeyValue(key: "alpha", value: [1, 2, 3], version: 3),
        KeyValue(key: "beta", value: Array("hello".utf8), version: 9),
        KeyValue(key: "日本", value: [], version: 1),
    ])
    let sessions = try ClientSessions(records: [
        ClientSessionRecord(client: ClientID(7), lastSequence: 12, lastResult: .success(.written(version: 9)), lastSlot: 41),
        ClientSessionRecord(client: ClientID(UInt64.max), lastSequence: 1, lastResult: .failure(.keyTooLong(bytes: 300, max: 256)), lastSlot: 40),
    ])
    return try CellState(configuration: configuration, store: store, sessions: sessions, appliedThrough: 42)
}
