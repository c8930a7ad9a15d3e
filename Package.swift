// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Colony",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ColonyCore", targets: ["ColonyCore"]),
        .library(name: "ColonySim", targets: ["ColonySim"]),
        .library(name: "ColonyCheck", targets: ["ColonyCheck"]),
        .executable(name: "colony", targets: ["colony"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .target(name: "ColonyCore"),
        .target(name: "ColonySim", dependencies: ["ColonyCore"]),
        .target(name: "ColonyCheck", dependencies: ["ColonyCore"]),
        .executableTarget(
            name: "colony",
            dependencies: [
                "ColonyCore", "ColonySim", "ColonyCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ColonyCoreTests", dependencies: ["ColonyCore", "ColonySim"]),
        .testTarget(name: "ColonySimTests", dependencies: ["ColonySim", "ColonyCheck", "ColonyCore"]),
        .testTarget(name: "ColonyCheckTests", dependencies: ["ColonyCheck", "ColonyCore"]),
    ]
)
