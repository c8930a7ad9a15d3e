// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Colony",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ColonyCore", targets: ["ColonyCore"]),
        .library(name: "ColonyWire", targets: ["ColonyWire"]),
        .library(name: "ColonyStorage", targets: ["ColonyStorage"]),
        .library(name: "ColonySim", targets: ["ColonySim"]),
        .library(name: "ColonyCheck", targets: ["ColonyCheck"]),
        .library(name: "ColonyNode", targets: ["ColonyNode"]),
        .executable(name: "colony", targets: ["colony"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        .target(name: "ColonyCore"),
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
        .target(name: "ColonySim", dependencies: ["ColonyCore", "ColonyWire", "ColonyStorage"]),
        .target(name: "ColonyCheck", dependencies: ["ColonyCore"]),
        .target(
            name: "ColonyNode",
            dependencies: [
                "ColonyCore", "ColonyWire", "ColonyStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "colony",
            dependencies: [
                "ColonyCore", "ColonyWire", "ColonyStorage", "ColonySim", "ColonyCheck", "ColonyNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ColonyCoreTests", dependencies: ["ColonyCore", "ColonySim"]),
        .testTarget(name: "ColonySimTests", dependencies: ["ColonySim", "ColonyCheck", "ColonyCore"]),
        .testTarget(name: "ColonyCheckTests", dependencies: ["ColonyCheck", "ColonyCore"]),
        .testTarget(name: "ColonyWireTests", dependencies: ["ColonyWire", "ColonyCore"]),
        .testTarget(name: "ColonyNodeTests", dependencies: ["ColonyNode", "ColonyWire", "ColonyCore", "colony"]),
        .testTarget(name: "ColonyStorageTests", dependencies: ["ColonyStorage", "ColonyWire", "ColonyCore", "ColonySim", "colony"]),
    ]
)
