import Foundation
import LLMKit
import Testing

/// An agent round against the real llama-cpp-python + SmolLM2 server: a forced tool
/// choice, the tool run by llm-tools, and the model's answer after it.
@Suite(.enabled(if: LocalModel.base != nil, "needs LLMKIT_TEST_LLAMA_BASE (make test provides it)"), .serialized)
struct ToolsLocalModelTests {
    @Test func forcedToolCallRunsAndTheModelAnswers() throws {
        let environment = ["LLMKIT_API_BASE": LocalModel.base ?? "", "LLMKIT_MODEL": "llamacpp/smollm2"]
        let tools = Paths.fixture("agent/tools.yaml").path
        let listed = try run("llm-tools", ["list", "-f", tools], stdin: nil)
        let forced = #"{"type":"options","tool_choice":{"type":"function","function":{"name":"get_weather"}},"temperature":0}"#
        let question = #"{"role":"user","content":"What is the weather in Paris?"}"#
        let asked = try run("llm-complete", ["--max-tokens", "60"], stdin: listed.stdout + forced + "\n" + question + "\n", environment: environment)
        #expect(asked.status == 0, "\(asked.stderr)")
        let call = try #require(asked.lastRecord?["tool_calls"]?.arrayValue?.first)
        #expect(call["function"]?["name"] == "get_weather")
        #expect(asked.lastRecord?["finish_reason"] == "tool_calls")

        let executed = try run("llm-tools", ["exec", "-f", tools], stdin: asked.stdout)
        #expect(executed.status == 0, "\(executed.stderr)")
        let result = try #require(executed.lastRecord)
        #expect(result["role"] == "tool" && result["name"] == "get_weather" && result["exit_status"] == 0)
        #expect(result["content"]?.stringValue?.hasPrefix("18°C and cloudy in") == true)

        // The answer turn: without the forcing options record.
        let unforced = executed.stdout.split(separator: "\n").filter { !$0.contains(#""type":"options""#) }.joined(separator: "\n") + "\n"
        let answered = try run("llm-complete", ["--max-tokens", "40", "--temperature", "0"], stdin: unforced, environment: environment)
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(answered.lastRecord?["role"] == "assistant")
        #expect(answered.records.count == executed.records.count, "the whole transcript flows on")
    }
}
