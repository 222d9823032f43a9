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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
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
        .testTarget(
            name: "LLMKitTests",
            dependencies: ["LLMKit"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["LLMKit"]
        ),
    ]
)
