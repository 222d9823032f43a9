import Foundation
import LLMKit
import Testing

/// Issue 8: nothing received is lost, nothing invented, every problem said once and clearly.
@Suite struct InputRobustnessTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    func complete(_ arguments: [String], stdin: String?, model: String = "llamacpp/fake") throws -> CommandResult {
        try run("llm-complete", ["-m", model, "--api-base", server.baseURL] + arguments, stdin: stdin)
    }

    @Test func aByteOrderMarkBeforeJSONLinesIsIgnored() throws {
        let input = "\u{FEFF}" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try complete([], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.records.last?["content"] == "Echo: hi", "\(result.stdout)")
        let tools = try run("llm-tools", ["pending"], stdin: "\u{FEFF}" + ToolsFixture.conversation([("f", "{}")]))
        #expect(tools.status == 0, "\(tools.stderr)")
    }

    @Test func nonFiniteAndOutOfRangeValuesNeverReachTheWire() async throws {
        let flag = try complete(["--temperature", "1e999", "hi"], stdin: nil)
        #expect(flag.status == 64, "\(flag.stderr)")
        let dryRun = try complete(["--dry-run", "--temperature", "1e999", "hi"], stdin: nil)
        #expect(dryRun.status == 64 && !dryRun.stdout.contains("\"body\":null"), "\(dryRun.stdout)")
        for options in [#"{"type":"options","max_tokens":-5}"#, #"{"type":"options","temperature":1e999}"#, #"{"type":"options","max_tokens":0}"#] {
            let result = try complete([], stdin: options + "\n" + #"{"role":"user","content":"hi"}"# + "\n")
            #expect(result.status == 65, "\(options): \(result.stderr)")
            #expect(result.stderr.contains("line 1"), "\(options): \(result.stderr)")
        }
        #expect(try await server.requests().isEmpty)
    }

    @Test func eachBadBatchLineGetsItsOwnError() throws {
        let input = [#"{"id":"a","messages":"not a list"}"#, #"{"id":"b","messages":[]}"#,
                     #"{"id":"c","messages":[{"role":"user","content":"hi"}],"max_tokens":-1}"#,
                     #"{"id":"d","messages":[{"role":"user","content":"hi"}]}"#].joined(separator: "\n") + "\n"
        let result = try complete([], stdin: input)
        let records = result.records
        try #require(records.count == 4, "\(result.stdout) \(result.stderr)")
        #expect(records.prefix(3).allSatisfy { $0["error"] != nil }, "\(result.stdout)")
        #expect(records.map { $0["id"] } == ["a", "b", "c", "d"])
        #expect(records[3]["message"]?["content"] == "Echo: hi", "the rest go on")
        #expect(result.status == 65)
    }

    @Test func aNumberIsNotAReply() throws {
        let result = try complete(["hi"], stdin: nil, model: "llamacpp/number-content")
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("content"), "\(result.stderr)")
    }

    @Test func retriesAreQuietUnlessVerbose() throws {
        let quiet = try complete(["hi quietly"], stdin: nil, model: "llamacpp/flaky")
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let verbose = try complete(["-v", "hi loudly"], stdin: nil, model: "llamacpp/flaky")
        #expect(verbose.stderr.contains("retrying"), "\(verbose.stderr)")
        let failing = try complete(["--retries", "1", "hi"], stdin: nil, model: "llamacpp/server-error")
        #expect(failing.status == 75)
        #expect(failing.stderr.split(separator: "\n").count == 1, "one line: \(failing.stderr)")
    }

    @Test func aBadRequestThatNamesAnUnknownModelIsAnUnknownModel() throws {
        let result = try complete(["hi"], stdin: nil, model: "llamacpp/bad-model-400")
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("bad-model-400") && result.stderr.contains("not found"), "\(result.stderr)")
    }

    @Test func errorsNameTheEndpointThatAnswered() throws {
        let rejecting = try FakeServer(arguments: ["--require-key", "right-key"])
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini", "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": "wrong-key-123456", "OPENAI_BASE_URL": rejecting.baseURL])
        #expect(result.status == 77)
        #expect(result.stderr.contains("127.0.0.1:\(rejecting.port)") && result.stderr.contains("OPENAI_API_KEY"), "\(result.stderr)")
    }
}

@Suite struct WireCornerTests {
    @Test func openAIsNewerTokenFieldGoesOnlyToOpenAI() throws {
        let elsewhere = try run("llm-complete", ["-m", "openai/x", "--dry-run", "--max-tokens", "12", "hi"], stdin: nil,
                                environment: ["OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:4000/v1"])
        #expect(elsewhere.lastRecord?["body"]?["max_tokens"] == 12, "\(elsewhere.stdout)")
        #expect(elsewhere.lastRecord?["body"]?["max_completion_tokens"] == nil)
        let openai = try run("llm-complete", ["-m", "openai/x", "--dry-run", "--max-tokens", "12", "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": "sk-test-0123456789"])
        #expect(openai.lastRecord?["body"]?["max_completion_tokens"] == 12, "\(openai.stdout)")
    }

    @Test func streamDryRunShowsTheStreamingBody() throws {
        let result = try run("llm-stream", ["-m", "llamacpp/x", "--dry-run", "hi"], stdin: nil)
        #expect(result.status == 0)
        #expect(result.lastRecord?["body"]?["stream"] == true, "\(result.stdout)")
        #expect(result.lastRecord?["body"]?["stream_options"] != nil)
    }
}
