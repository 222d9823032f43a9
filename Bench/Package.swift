// swift-tools-version: 6.1
// The floor under one request (make bench: request): the same POST to the same loopback
// server by programs that each add one layer llm-complete is built from, so the bench shows
// what each layer costs before llmkit's own code runs. Each opens libcurl at run time, as
// llmkit does, and writes the reply body to stdout. The first layer, C alone, is
// request-floor.c, which bench.py compiles with cc: a C target here would be linked with
// the Swift runtime.
import PackageDescription

let package = Package(
    name: "llmkit-bench",
    dependencies: [.package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")],
    targets: [
        .target(name: "CRequestFloor", linkerSettings: [.linkedLibrary("dl")]),
        // A static Swift program: the Swift runtime's start.
        .executableTarget(name: "request-floor-swift", dependencies: ["CRequestFloor"]),
        // Foundation linked and used: Yams, the config's YAML reader, needs all of it.
        .executableTarget(name: "request-floor-foundation", dependencies: ["CRequestFloor"]),
        // A command of llm-complete's shape, parsed by swift-argument-parser.
        .executableTarget(
            name: "request-floor-argument-parser",
            dependencies: ["CRequestFloor", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ]
)
