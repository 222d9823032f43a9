import Foundation
import LLMKit
import Testing

/// `llm-complete` against the real llama-cpp-python server with SmolLM2-135M, which
/// `make test` starts (scripts/with-llama-server.sh) and names in LLMKIT_TEST_LLAMA_BASE.
@Suite(.enabled(if: LocalModel.base != nil, "needs LLMKIT_TEST_LLAMA_BASE (make test provides it)"), .serialized)
struct CompleteLocalModelTests {
    func complete(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
        try run("llm-complete", ["-m", "llamacpp/smollm2", "--temperature", "0", "--seed", "1"] + arguments, stdin: stdin,
                environment: ["LLMKIT_API_BASE": LocalModel.base ?? ""])
    }

    @Test func answersAPromptAsText() throws {
        let result = try complete(["-t", "--max-tokens", "40"], stdin: "What is 2+2?\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count > 0)
        #expect(result.stderr.isEmpty)
    }

    @Test func recordCarriesUsageModelFinishReasonAndTimings() throws {
        let result = try complete(["--max-tokens", "40", "What is 2+2?"])
        #expect(result.status == 0, "\(result.stderr)")
        let reply = try #require(result.lastRecord)
        #expect(reply["role"] == "assistant")
        #expect(reply["model"] == "llamacpp/smollm2")
        #expect(["stop", "length"].contains(reply["finish_reason"]?.stringValue ?? ""))
        let usage = try #require(reply["usage"])
        #expect((usage["input_tokens"]?.intValue ?? 0) > 5)
        #expect((usage["output_tokens"]?.intValue ?? 0) > 0)
        #expect((reply["timings"]?["total_ms"]?.doubleValue ?? 0) > 0)
    }

    @Test func maxTokensCutsTheReply() throws {
        let reply = try #require(try complete(["--max-tokens", "3", "Write a long story about the sea."]).lastRecord)
        #expect(reply["finish_reason"] == "length")
        #expect(reply["usage"]?["output_tokens"] == 3)
    }

    @Test func structuredOutputFitsTheSchema() throws {
        let schema = Paths.temporaryDirectory().appendingPathComponent("schema.json")
        try #"{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#.write(to: schema, atomically: true, encoding: .utf8)
        let result = try complete(["-t", "--max-tokens", "40", "--schema", schema.path, "Name the capital of France as JSON."])
        #expect(result.status == 0, "\(result.stderr)")
        let value = try JSONParser.parse(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(value["city"]?.stringValue != nil)
    }

    @Test func conversationContinues() throws {
        let first = try complete(["--max-tokens", "20", "My name is Ada."])
        let second = try complete(["--max-tokens", "30", "What is my name?"], stdin: first.stdout)
        #expect(second.status == 0)
        let records = second.records
        #expect(records.count == 4)
        #expect(records.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user", "assistant"])
    }

    @Test func batchKeepsOrder() throws {
        let input = ["Say yes.", "Say no.", "Say maybe."].enumerated().map { i, q in
            #"{"id":\#(i),"messages":[{"role":"user","content":"\#(q)"}],"max_tokens":8}"#
        }.joined(separator: "\n") + "\n"
        let result = try complete(["-j", "2"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.records.map { $0["id"] } == [0, 1, 2])
        #expect(result.records.allSatisfy { $0["message"]?["role"] == "assistant" })
    }

    @Test func emojiSurvivesTheRoundTrip() throws {
        let result = try complete(["--max-tokens", "60", "Repeat exactly: 😀 café"])
        #expect(result.status == 0)
        #expect(result.records.first?["content"] == "Repeat exactly: 😀 café")
        let reply = try #require(result.lastRecord)
        var content = reply["content"]?.stringValue ?? ""
        // A reply cut by max_tokens may end inside a character; the server itself then
        // sends U+FFFD. Anywhere else it would be our decoding's fault.
        if reply["finish_reason"] == "length" { while content.last == "\u{FFFD}" { content.removeLast() } }
        #expect(!content.contains("\u{FFFD}"))
        #expect(!content.contains("\\u"))
    }
}

enum LocalModel {
    static let base: String? = {
        guard let value = ProcessInfo.processInfo.environment["LLMKIT_TEST_LLAMA_BASE"], !value.isEmpty else { return nil }
        return value
    }()
}
