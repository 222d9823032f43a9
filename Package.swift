// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "llmkit",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "LLMKit", targets: ["LLMKit"]),
        .executable(name: "llm-complete", targets: ["llm-complete"]),
        .executable(name: "llm-stream", targets: ["llm-stream"]),
        .executable(name: "llm-tools", targets: ["llm-tools"]),
        .executable(name: "llm-probe", targets: ["llm-probe"]),
        .executable(name: "llm-cost", targets: ["llm-cost"]),
        .executable(name: "llm-serve", targets: ["llm-serve"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Only llm-serve links these: the other tools stay small and start fast.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // libcurl's headers (libcurl4-openssl-dev); the library itself is opened at run time,
        // by the runs that send a request (Sources/CCurl/include/ccurl.h says why).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CLinux"),
        .target(
            name: "LLMKit",
            dependencies: ["CCurl", "CLinux", "Yams"]
        ),
        .target(name: "LLMKitMCP", dependencies: ["LLMKit"]),
        .target(
            name: "LLMCommandLine",
            dependencies: [
                "LLMKit",
                "CLinux",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "llm-complete",
            dependencies: ["LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "llm-stream",
            dependencies: ["LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "llm-tools",
            dependencies: ["LLMKit", "LLMKitMCP", "LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "llm-probe",
            dependencies: ["LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "llm-cost",
            dependencies: ["LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(
            name: "LLMServer",
            dependencies: [
                "LLMKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "llm-serve",
            dependencies: ["LLMServer", "LLMCommandLine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "LLMKitTests",
            dependencies: ["LLMKit"]
        ),
        .testTarget(
            name: "LLMServerTests",
            dependencies: ["LLMServer", "LLMKit", .product(name: "HummingbirdTesting", package: "hummingbird")]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["LLMKit"]
        ),
    ]
)
