import Foundation
import LLMKit
import Testing

/// The offline providers: deterministic replies with no server at all.
@Suite struct CompleteMockTests {
    @Test func echoRepliesWithTheLastUserMessage() throws {
        let result = try run("llm-complete", ["-m", "mock/echo", "-t", "hello there"], stdin: nil)
        #expect(result.status == 0)
        #expect(result.stdout == "hello there\n")
    }

    @Test func scriptReplaysOneReplyPerAssistantTurn() throws {
        let script = Paths.temporaryDirectory().appendingPathComponent("replies.jsonl")
        try """
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]}
            {"role":"assistant","content":"It is 18°C in Paris."}

            """.write(to: script, atomically: true, encoding: .utf8)
        let first = try run("llm-complete", ["-m", "mock/script", "--mock-script", script.path, "Weather in Paris?"], stdin: nil)
        #expect(first.status == 0)
        let call = try #require(first.lastRecord)
        #expect(call["finish_reason"] == "tool_calls")
        #expect(call["tool_calls"]?.arrayValue?.first?["function"]?["name"] == "get_weather")
        #expect(call["model"] == "mock/script")

        let withResult = first.stdout + #"{"role":"tool","tool_call_id":"call_a","name":"get_weather","content":"18°C"}"# + "\n"
        let second = try run("llm-complete", ["-m", "mock/script", "--mock-script", script.path], stdin: withResult)
        #expect(second.status == 0)
        #expect(second.lastRecord?["content"] == "It is 18°C in Paris.")
        #expect(second.lastRecord?["finish_reason"] == "stop")
        #expect(second.records.count == 4)

        let exhausted = try run("llm-complete", ["-m", "mock/script", "--mock-script", script.path], stdin: second.stdout + #"{"role":"user","content":"and tomorrow?"}"# + "\n")
        #expect(exhausted.status == 65)
        #expect(exhausted.stderr.contains("has 2 replies"))
    }

    @Test func scriptFromConfigAndScriptedErrors() throws {
        let dir = Paths.temporaryDirectory()
        let script = dir.appendingPathComponent("s.jsonl")
        try #"{"type":"error","code":"rate_limited","message":"scripted limit"}"#.write(to: script, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("config.yaml")
        try "providers:\n  mock:\n    script: \(script.path)\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try run("llm-complete", ["-m", "mock/script", "--retries", "0", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path])
        #expect(result.status == 75)
        #expect(result.lastRecord?["message"] == "scripted limit")
    }

    @Test func scriptIsRequired() throws {
        let result = try run("llm-complete", ["-m", "mock/script", "hi"], stdin: nil)
        #expect(result.status == 78)
        #expect(result.stderr.contains("--mock-script"))
    }

    @Test func badCommandLinesAreUsageErrors() throws {
        #expect(try run("llm-complete", ["--jobs", "0", "hi"], stdin: nil).status == 64)
        #expect(try run("llm-complete", ["--no-such-flag"], stdin: nil).status == 64)
        let unknown = try run("llm-complete", ["-m", "nosuch/model", "hi"], stdin: nil)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("known providers are"))
        let noPrompt = try run("llm-complete", ["-m", "mock/echo"], stdin: "")
        #expect(noPrompt.status == 64)
    }

    @Test func helpShowsExamples() throws {
        let help = try run("llm-complete", ["--help"], stdin: nil)
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:"))
        #expect(help.stdout.contains("--dry-run"))
    }
}
