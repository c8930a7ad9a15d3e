// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Colony",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ColonyCore", targets: ["ColonyCore"]),
        .library(name: "ColonyAuth", targets: ["ColonyAuth"]),
        .library(name: "ColonyWire", targets: ["ColonyWire"]),
        .library(name: "ColonyStorage", targets: ["ColonyStorage"]),
        .library(name: "ColonyJSON", targets: ["ColonyJSON"]),
        .library(name: "ColonyPlacement", targets: ["ColonyPlacement"]),
        .library(name: "ColonySim", targets: ["ColonySim"]),
        .library(name: "ColonyCheck", targets: ["ColonyCheck"]),
        .library(name: "ColonyNodeCore", targets: ["ColonyNodeCore"]),
        .library(name: "ColonyNode", targets: ["ColonyNode"]),
        .library(name: "ColonyAPI", targets: ["ColonyAPI"]),
        .library(name: "ColonyClient", targets: ["ColonyClient"]),
        .library(name: "ColonyControl", targets: ["ColonyControl"]),
        .library(name: "ColonyBackup", targets: ["ColonyBackup"]),
        .executable(name: "colony", targets: ["colony"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over gRPC only: the package's HTTP exporter would bring an HTTP client the colony does not use.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPGRPC"]),
    ],
    targets: [
        .target(name: "ColonyCore"),
        .target(name: "ColonyAuth"),
        .target(name: "ColonyWire", dependencies: ["ColonyCore"]),
        .target(name: "CColonyCRC32C"),
        .target(
            name: "ColonyStorage",
            dependencies: [
                "ColonyCore", "ColonyWire", "CColonyCRC32C",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        .target(name: "ColonyNodeCore", dependencies: ["ColonyCore", "ColonyWire"]),
        // Backups' formats and checks: the manifest, the cell files (sealed with ColonyStorage's sealer), verification.
        .target(
            name: "ColonyBackup",
            dependencies: ["ColonyCore", "ColonyWire", "ColonyStorage", "ColonyJSON", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "ColonyJSON"),
        .target(name: "ColonyPlacement", dependencies: ["ColonyCore", "ColonyJSON"]),
        .target(
            name: "ColonySim",
            dependencies: ["ColonyCore", "ColonyWire", "ColonyNodeCore", "ColonyStorage", "ColonyPlacement", "ColonyControl", "ColonyClient"]),
        .target(name: "ColonyCheck", dependencies: ["ColonyCore"]),
        .target(
            name: "ColonyAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        // etcd's KV.Range and KV.Put, generated from Protos/etcd: the peer `colony bench load` measures.
        .target(
            name: "EtcdAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ]
        ),
        .target(
            name: "ColonyClient",
            dependencies: [
                "ColonyCore", "ColonyAPI", "ColonyWire",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ]
        ),
        .target(name: "ColonyControl", dependencies: ["ColonyCore", "ColonyAuth", "ColonyPlacement", "ColonyClient", "ColonyAPI"]),
        .target(
            name: "ColonyNode",
            dependencies: [
                "ColonyCore", "ColonyWire", "ColonyNodeCore", "ColonyStorage", "ColonyAPI", "ColonyJSON", "ColonyAuth", "ColonyClient",
                "ColonyControl",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCertificateReloading", package: "swift-nio-extras"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "ColonyFuzz",
            dependencies: [
                "ColonyCore", "ColonyWire", "ColonyStorage", "ColonySim", "ColonyNode", "ColonyClient", "ColonyAPI", "ColonyJSON", "ColonyBackup",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        .executableTarget(
            name: "colony",
            dependencies: [
                "ColonyCore", "ColonyWire", "ColonyStorage", "ColonyPlacement", "ColonySim", "ColonyCheck", "ColonyNode", "ColonyClient",
                "ColonyAPI", "ColonyControl", "ColonyFuzz", "ColonyAuth", "EtcdAPI", "ColonyBackup",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        .target(name: "ColonyTestSupport", path: "Tests/ColonyTestSupport"),
        .testTarget(name: "ColonyCoreTests", dependencies: ["ColonyCore", "ColonySim"]),
        .testTarget(name: "ColonyNodeCoreTests", dependencies: ["ColonyNodeCore", "ColonyCore", "ColonyWire"]),
        .testTarget(name: "ColonySimTests", dependencies: ["ColonySim", "ColonyCheck", "ColonyCore", "ColonyStorage", "ColonyTestSupport"]),
        .testTarget(name: "ColonyAuthTests", dependencies: ["ColonyAuth"]),
        .testTarget(name: "ColonyBackupTests", dependencies: ["ColonyBackup", "ColonyStorage"]),
        .testTarget(name: "ColonyCheckTests", dependencies: ["ColonyCheck", "ColonyCore"]),
        .testTarget(name: "ColonyModelTests", dependencies: ["ColonyTestSupport"]),
        .testTarget(name: "ColonyJSONTests", dependencies: ["ColonyJSON"]),
        .testTarget(name: "ColonyFuzzTests", dependencies: ["ColonyFuzz", "ColonyStorage", "ColonyWire", "ColonyCore"]),
        .testTarget(name: "ColonyWireTests", dependencies: ["ColonyWire", "ColonyCore"]),
        .testTarget(name: "ColonyCLITests", dependencies: ["colony", "ColonyCheck", "ColonyClient", "ColonyControl", "ColonyTestSupport", "ColonyBackup", "ColonyStorage"]),
        .testTarget(name: "ColonyClientTests", dependencies: ["ColonyClient", "ColonyAPI", "ColonyWire"]),
        .testTarget(name: "ColonyControlTests", dependencies: ["ColonyControl", "ColonyAuth", "ColonyPlacement", "ColonyClient", "ColonyCore", "ColonyAPI"]),
        .testTarget(name: "ColonyPlacementTests", dependencies: ["ColonyPlacement", "ColonyCore", "ColonyTestSupport"]),
        .testTarget(
            name: "ColonyNodeTests",
            dependencies: [
                "ColonyNode", "ColonyClient", "ColonyCheck", "ColonyWire", "ColonyCore", "colony", "ColonyTestSupport", "ColonyAPI",
                "ColonyControl", "ColonyFuzz", "ColonyAuth", "ColonyBackup",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "ColonyStorageTests",
            dependencies: ["ColonyStorage", "ColonyWire", "ColonyCore", "ColonySim", "colony", "ColonyTestSupport"]),
    ]
)
