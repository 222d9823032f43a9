import Foundation
@testable import LLMKit
import Testing

/// The committed fuzz corpus (`Fuzz/Corpus`), inputs that once crashed included, run through
/// the same checks the fuzz targets make: a regression shows here even without `make fuzz`.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    static let checks: [String: @Sendable ([UInt8]) -> Void] = [
        "json": FuzzChecks.json, "chunk-scan": FuzzChecks.chunkScan, "sse": FuzzChecks.sse,
        "ndjson": FuzzChecks.ndjson, "schema": FuzzChecks.schema, "config": FuzzChecks.config,
    ]

    @Test(arguments: ["json", "chunk-scan", "sse", "ndjson", "schema", "config"])
    func everyCorpusInputHoldsItsInvariants(target: String) throws {
        let folder = Self.corpus.appendingPathComponent(target)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!files.isEmpty)
        for file in files {
            Self.checks[target]!(Array(try Data(contentsOf: folder.appendingPathComponent(file))))
        }
    }

    @Test func theInputsThatCrashedNowGiveAnswers() throws {
        #expect(throws: LLMError.self) { try ConfigLoader.parse("providers:\n  ? [not, a, string]\n  : {api_base: x}\n") }
        let nul = #"{"choices":[{"index":0,"delta":{"content":"x"},"finish_\#u{0}reason":"stop"}]}"#
        #expect(Array(nul.utf8).withUnsafeBufferPointer { OpenAIChunkScan.scan($0) } == nil)
    }
}
