import Foundation
import LLMKit
import Testing

/// `llm-stream` against the real llama-cpp-python + SmolLM2 server (`make test`).
@Suite(.enabled(if: LocalModel.base != nil, "needs LLMKIT_TEST_LLAMA_BASE (make test provides it)"), .serialized)
struct StreamLocalModelTests {
    let arguments = ["-m", "llamacpp/smollm2", "--temperature", "0", "--seed", "1", "--max-tokens", "24"]
    var environment: [String: String] { ["LLMKIT_API_BASE": LocalModel.base ?? ""] }

    @Test func streamedReplyEqualsTheNonStreamedOne() throws {
        let prompt = "Name three colours of the rainbow."
        // llama-cpp-python reuses its KV cache for a repeated prompt, and the first
        // evaluation of a new prompt can sample differently from the cached ones; warm it.
        _ = try run("llm-complete", arguments + [prompt], stdin: nil, environment: environment)
        let complete = try run("llm-complete", arguments + [prompt], stdin: nil, environment: environment)
        let stream = try run("llm-stream", arguments + [prompt], stdin: nil, environment: environment)
        #expect(complete.status == 0 && stream.status == 0, "\(stream.stderr)")
        let expected = try #require(complete.lastRecord)
        let streamed = try #require(stream.lastRecord)
        #expect(streamed["content"] == expected["content"])
        #expect(streamed["finish_reason"] == expected["finish_reason"])
        let pieces = stream.records.filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }.joined()
        #expect(.string(pieces) == streamed["content"])
        #expect(streamed["usage"] == nil, "llama-cpp-python ignores stream_options.include_usage; nothing is invented")
        #expect(streamed["timings"]?["ttft_ms"]?.doubleValue != nil)
    }

    @Test func firstPieceArrivesBeforeTheReplyEnds() throws {
        let timing = try timeFirstByte("llm-stream", ["-t", "-m", "llamacpp/smollm2", "--max-tokens", "80",
                                                      "Write a long story about a dragon who learns to bake bread."], environment: environment)
        #expect(timing.status == 0)
        #expect(!timing.first.isEmpty && !timing.rest.isEmpty)
        // 80 tokens take about a second here; the first must not wait for the last.
        #expect(timing.firstAt < timing.total - 0.3, "first piece at \(timing.firstAt) s of \(timing.total) s")
    }
}
