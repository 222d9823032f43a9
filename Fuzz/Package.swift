// swift-tools-version: 6.1
// libFuzzer targets over LLMKit's parsers and loaders: `make fuzz` (long runs) and
// `make test` (a few seconds each). Each target hands the fuzzer's bytes to one function of
// `FuzzChecks`, which traps when an invariant breaks.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which is whatever the clone is called.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent.lowercased()

let targets = ["json", "chunk-scan", "sse", "ndjson", "schema", "config"]

let package = Package(
    name: "llmkit-fuzz",
    dependencies: [.package(path: "..")],
    targets: targets.map { name in
        .executableTarget(
            name: "fuzz-\(name)",
            dependencies: [.product(name: "LLMKit", package: parent)],
            path: "Sources/\(name)",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    }
)
