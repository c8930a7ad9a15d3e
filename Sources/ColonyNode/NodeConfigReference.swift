import ColonyCore

/// Every field of a node's configuration file, with its type, default and meaning: what
/// `colony node config-reference` prints and docs/node-configuration.md holds. A test
/// compares these key paths with the keys `NodeConfig` encodes, and the document with
/// `markdown()`, so none of the three can change without the others.
public enum NodeConfigReference {
    /// One field: where it sits (`nodes[].zone` for a key of each element of `nodes`), its JSON
    /// type, what holds when it is left out, and what it means.
    public struct Field: Hashable, Sendable {
        /// The field's key path from the top of the file.
        public var keyPath: String
        /// Its JSON type, and the values it takes.
        public var type: String
        /// What holds without it: "required" when it cannot be left out.
        public var absent: String
        /// What it means.
        public var meaning: String
    }

    /// Every field, in the order the document lists them.
    public static let fields: [Field] = [
        Field(
            keyPath: "colony", type: "string, 1 to \(NodeConfig.colonyNameBytesMax) bytes", absent: "required",
            meaning: "The colony's name; a node refuses peers that name another colony."),
        Field(keyPath: "node", type: "integer, 1 to \(UInt32.max)", absent: "required", meaning: "This node's id, one of `nodes`."),
        Field(
            keyPath: "dataDirectory", type: "string, a folder", absent: "required",
            meaning: "Where the node keeps its write-ahead log and snapshots; one node process at a time may use it."),
        Field(
            keyPath: "nodes", type: "array of objects", absent: "required",
            meaning: "This node and the nodes it first dials (every node of the colony, or some for a node that joins later); the node learns the rest from the directory (see `colony node join`)."),
        Field(keyPath: "nodes[].node", type: "integer, 1 to \(UInt32.max)", absent: "required", meaning: "The node's id, once in the list."),
        Field(
            keyPath: "nodes[].peerAddress", type: "string, HOST:PORT", absent: "required",
            meaning: "Where the node listens for its peers, and where they reach it."),
        Field(
            keyPath: "nodes[].clientAddress", type: "string, HOST:PORT", absent: "required",
            meaning: "Where the node serves clients (gRPC)."),
        Field(
            keyPath: "nodes[].adminAddress", type: "string, HOST:PORT", absent: "no admin endpoint",
            meaning: "Where the node serves `/metrics`, `/health` and `/status`."),
        Field(
            keyPath: "nodes[].zone", type: "string, 1 to \(NodeAddress.domainNameBytesMax) of A-Z a-z 0-9 - _ .",
            absent: "`\(NodeAddress.defaultZone)`", meaning: "The node's zone (a datacenter or availability zone), for placement."),
        Field(
            keyPath: "nodes[].rack", type: "string, as `zone`", absent: "a rack of its own, `rack-N` for node N",
            meaning: "The node's rack, named within its zone, for placement."),
        Field(
            keyPath: "nodes[].color", type: "string, as `zone`", absent: "`\(NodeAddress.defaultColor)`",
            meaning: "The node's deployment group, for placement."),
        Field(
            keyPath: "keyFile", type: "string, a file of 32 raw bytes or 64 hex digits", absent: "data stored unencrypted",
            meaning: "The key that seals the data at rest."),
        Field(
            keyPath: "keyFileReadableByOthers", type: "boolean", absent: "false",
            meaning: "True to accept a key file its group or other users may read; otherwise such a file is refused at start."),
        Field(
            keyPath: "cellQuotaMax", type: "object", absent: "the ceiling below",
            meaning: "The largest quotas a cell may be created with in this colony."),
        Field(
            keyPath: "cellQuotaMax.keysMax", type: "integer, 1 to \(CellLimits.ceiling.keysMax)", absent: "\(CellLimits.ceiling.keysMax)",
            meaning: "The most keys of one cell."),
        Field(
            keyPath: "cellQuotaMax.bytesMax", type: "integer, 1 to \(CellLimits.ceiling.cellBytesMax)", absent: "\(CellLimits.ceiling.cellBytesMax)",
            meaning: "The most bytes of keys and values of one cell."),
        Field(
            keyPath: "cellQuotaMax.valueBytesMax", type: "integer, 1 to \(CellLimits.ceiling.valueBytesMax)",
            absent: "\(CellLimits.ceiling.valueBytesMax)", meaning: "The largest value, in bytes."),
        Field(
            keyPath: "tls", type: "object", absent: "refused, unless `plaintext` is true",
            meaning: "The colony's CA and this node's certificate and key (`colony certs` makes them)."),
        Field(
            keyPath: "tls.ca", type: "string, a PEM file", absent: "required in `tls`",
            meaning: "The colony CA's certificate, or several one after the other while the CA rotates."),
        Field(keyPath: "tls.certificate", type: "string, a PEM file", absent: "required in `tls`", meaning: "This node's certificate."),
        Field(keyPath: "tls.key", type: "string, a PEM file", absent: "required in `tls`", meaning: "That certificate's private key."),
        Field(
            keyPath: "plaintext", type: "boolean", absent: "false",
            meaning: "True to run without TLS: for tests only, never beside `tls`."),
        Field(
            keyPath: "adminTLS", type: "boolean", absent: "false: plain HTTP, read-only",
            meaning: "True to serve the admin endpoint over TLS to certificates of the colony's CA; needs `tls`."),
        Field(
            keyPath: "tracing", type: "object", absent: "nothing traced",
            meaning: "Where to export the spans of traced requests (OTLP/gRPC)."),
        Field(
            keyPath: "tracing.endpoint", type: "string, http://HOST:PORT or https://HOST:PORT", absent: "required in `tracing`",
            meaning: "The OTLP/gRPC collector."),
        Field(
            keyPath: "tracing.samplingRatio", type: "number, 0 to 1", absent: "1",
            meaning: "The share of requests without a client's trace context that the node traces."),
        Field(
            keyPath: "listen", type: "object", absent: "each listener binds the address `nodes` advertises",
            meaning: "Where this node binds its listeners when peers and clients reach it elsewhere (behind NAT, in a container or a pod)."),
        Field(keyPath: "listen.peer", type: "string, HOST:PORT", absent: "its `peerAddress`", meaning: "Where the peer listener binds, e.g. `0.0.0.0:7101`."),
        Field(keyPath: "listen.client", type: "string, HOST:PORT", absent: "its `clientAddress`", meaning: "Where the client listener binds."),
        Field(
            keyPath: "listen.admin", type: "string, HOST:PORT", absent: "its `adminAddress`",
            meaning: "Where the admin endpoint binds; only beside an advertised `adminAddress`."),
    ]

    /// The reference as a Markdown document: a title, how the file is read, and one table row
    /// per field.
    public static func markdown() -> String {
        var lines = [
            "# Node configuration",
            "",
            "A node reads one JSON file: `colony node run --config FILE`. The file is read strictly: a key",
            "not listed here, at any level, is refused with the nearest known key, and every field is",
            "checked with a message naming it. `colony node config-reference` prints this page; a test keeps",
            "it equal to the fields the code reads.",
            "",
            "| field | type | when absent | meaning |",
            "|---|---|---|---|",
        ]
        for field in fields {
            lines.append("| `\(field.keyPath)` | \(field.type) | \(field.absent) | \(field.meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
