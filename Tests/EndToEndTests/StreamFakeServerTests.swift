import Foundation
import LLMKit
import Testing

/// `llm-stream` against the fake server's streaming scenarios: chunking, delays, faults.
@Suite struct StreamFakeServerTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    func stream(_ arguments: [String], model: String, stdin: String? = nil) throws -> CommandResult {
        try run("llm-stream", ["-m", "llamacpp/\(model)", "--api-base", server.baseURL] + arguments, stdin: stdin)
    }

    func deltas(_ result: CommandResult) -> [JSONObject] { result.records.filter { $0["type"] == "delta" } }

    @Test func textDeltasThenTheWholeMessage() async throws {
        let result = try stream(["hello big world"], model: "fake")
        #expect(result.status == 0)
        let records = result.records
        #expect(records.first == ["role": "user", "content": "hello big world"])
        #expect(deltas(result).compactMap { $0["content"]?.stringValue } == ["Echo: ", "hello ", "big ", "world"])
        let reply = try #require(records.last)
        #expect(reply["content"] == "Echo: hello big world")
        #expect(reply["finish_reason"] == "stop")
        #expect(reply["usage"] == ["input_tokens": 12, "output_tokens": 4, "cache_read_tokens": 2])
        #expect(reply["timings"]?["ttft_ms"]?.doubleValue != nil)
        #expect(reply["timings"]?["total_ms"]?.doubleValue != nil)
        let body = try #require(try await server.lastBody())
        #expect(body["stream"] == true)
        #expect(body["stream_options"] == ["include_usage": true])
    }

    @Test func textModeWritesOnlyText() throws {
        let result = try stream(["-t", "hello world"], model: "fake")
        #expect(result.stdout == "Echo: hello world\n")
    }

    @Test func showWritesTextToStderrToo() throws {
        let result = try stream(["--show", "hello world"], model: "fake")
        #expect(result.stderr == "Echo: hello world\n")
        #expect(result.lastRecord?["content"] == "Echo: hello world")
    }

    @Test func parallelToolCallsAssembleFromFragments() throws {
        let result = try stream(["weather?"], model: "tool-call")
        #expect(result.status == 0)
        let reply = try #require(result.lastRecord)
        #expect(reply["finish_reason"] == "tool_calls")
        #expect(reply["content"] == .null)
        let calls = try #require(reply["tool_calls"]?.arrayValue)
        #expect(calls.map { $0["id"] } == ["call_1", "call_2", "call_3"])
        #expect(calls.map { $0["function"]?["name"] } == ["get_weather", "get_time", "now"])
        #expect(calls.map { $0["function"]?["arguments"] } == [#"{"city": "Paris"}"#, #"{"zone": "Europe/Paris"}"#, "{}"])
        #expect(deltas(result).contains { $0["tool_call"]?["arguments"] == "{\"ci" })
    }

    @Test func sameIndexDifferentIDsAreTwoCalls() throws {
        let calls = try #require(try stream(["x"], model: "same-index").lastRecord?["tool_calls"]?.arrayValue)
        #expect(calls.map { $0["function"]?["arguments"] } == [#"{"n":1}"#, #"{"n":2}"#])
    }

    @Test func reasoningDeltas() throws {
        let result = try stream(["2+2?"], model: "reasoning")
        #expect(deltas(result).compactMap { $0["reasoning"]?.stringValue } == ["Two plus ", "two."])
        #expect(result.lastRecord?["reasoning"] == "Two plus two.")
    }

    @Test func usageAbsentWhenTheServerIgnoresTheRequest() throws {
        let reply = try #require(try stream(["hi"], model: "no-usage").lastRecord)
        #expect(reply["usage"] == nil, "never invented")
        #expect(reply["content"] == "Echo: hi")
    }

    @Test func byteByByteChunkingWithCRLF() throws {
        let result = try stream(["split me up"], model: "bytewise")
        #expect(result.status == 0)
        #expect(result.lastRecord?["content"] == "Echo: split me up")
    }

    @Test(arguments: [
        ("mid-error", Int32(75), "server_error"),
        ("legacy-error", 75, "server_error"),
        ("cut", 75, "stream_interrupted"),
    ])
    func failuresKeepThePartialReply(model: String, status: Int32, code: String) throws {
        let result = try stream(["one two three"], model: model)
        #expect(result.status == status)
        let records = result.records
        let error = try #require(records.last)
        #expect(error["type"] == "error" && error["code"] == .string(code))
        let partial = try #require(records.dropLast().last)
        #expect(partial["role"] == "assistant")
        #expect(partial["finish_reason"] == "error")
        #expect(partial["content"] == "Echo: one ")
    }

    @Test func stallEndsAfterTheIdleTimeout() throws {
        let start = Date()
        let result = try stream(["--idle-timeout", "1", "one two three"], model: "stall")
        #expect(result.status == 75)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(result.records.dropLast().last?["content"] == "Echo: one ")
        #expect(result.lastRecord?["code"] == "timeout")
    }

    @Test func streamsAreRetriedWhileNothingWasDelivered() async throws {
        let recovered = try stream(["-v", "retry me"], model: "flaky")
        #expect(recovered.status == 0)
        #expect(recovered.lastRecord?["content"] == "Echo: retry me")
        #expect(recovered.stderr.contains("retrying"), "retries are noted with -v")
        let exhausted = try stream(["--retries", "1", "x"], model: "rate-limited")
        #expect(exhausted.status == 75)
        // Nothing of the reply came: no assistant message, only the error (DESIGN §5).
        #expect(!exhausted.records.contains { $0["role"] == "assistant" }, "\(exhausted.stdout)")
        #expect(try await server.requests().count == 4, "2 for the flaky one, 1 + 1 retry for the rate-limited one")
    }

    @Test func refusedConnection() throws {
        let result = try run("llm-stream", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9/v1", "hi"], stdin: nil)
        #expect(result.status == 69)
        #expect(result.stderr.contains("127.0.0.1:9"))
    }

    /// A stream that failed before any of the reply came writes no empty assistant message:
    /// the conversation, then the error, as llm-complete does.
    @Test func aStreamThatNeverStartedWritesNoEmptyReply() throws {
        let result = try run("llm-stream", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9/v1", "hi"], stdin: nil)
        #expect(result.records.map { $0["role"]?.stringValue ?? $0["type"]?.stringValue ?? "?" } == ["user", "error"], "\(result.stdout)")
    }

    @Test func httpErrorsBeforeTheStreamAreMapped() throws {
        let result = try stream(["--retries", "0", "hi"], model: "unauthorized")
        #expect(result.status == 77)
        #expect(result.lastRecord?["status"] == 401)
    }

    /// llm-stream with `arguments`, sent SIGINT after `seconds`: its status and records.
    func interrupted(_ arguments: [String], after seconds: Double) throws -> (status: Int32, records: [JSONObject]) {
        let process = Process()
        process.executableURL = Paths.binary("llm-stream")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: seconds)
        process.interrupt()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let records = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        return (process.terminationStatus, records)
    }

    @Test func interruptKeepsTheReplySoFar() throws {
        let (status, records) = try interrupted(["-m", "llamacpp/slow-stream", "--api-base", server.baseURL, "a b c d e f g h i j"], after: 0.8)
        #expect(status == 130)
        let partial = try #require(records.dropLast().last)
        #expect(partial["finish_reason"] == "interrupted")
        #expect((partial["content"]?.stringValue ?? "").hasPrefix("Echo: a "))
        #expect(records.last?["code"] == "interrupted")
    }

    /// Interrupted before any of the reply came: the conversation and the error, no empty
    /// assistant message (review).
    @Test func interruptBeforeTheReplyWritesNoEmptyMessage() throws {
        let blackhole = try FakeServer(script: "fake_servers.py", arguments: ["--kind", "blackhole"])
        let (status, records) = try interrupted(["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:\(blackhole.port)/v1", "hi"], after: 0.5)
        #expect(status == 130)
        #expect(records.map { $0["role"]?.stringValue ?? $0["type"]?.stringValue ?? "?" } == ["user", "error"], "\(records)")
    }

    @Test func firstDeltaIsWrittenBeforeTheReplyEnds() throws {
        let timing = try timeFirstByte("llm-stream", ["-t", "-m", "llamacpp/slow-stream", "--api-base", server.baseURL, "a b c d e f"])
        #expect(timing.status == 0 && !timing.first.isEmpty)
        #expect(timing.firstAt < timing.total - 0.5, "the first piece came \(timing.firstAt) s in, the reply ended at \(timing.total) s")
    }

    @Test func outputFeedsTheNextStageLikeLLMComplete() throws {
        let first = try stream(["My name is Ada."], model: "fake")
        let next = try run("llm-complete", ["-m", "llamacpp/fake", "--api-base", server.baseURL, "What is my name?"], stdin: first.stdout)
        #expect(next.status == 0)
        let roles = next.records.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["user", "assistant", "user", "assistant"])
        #expect(next.records.filter { $0["type"] == "delta" }.count == deltas(first).count, "deltas pass through untouched")
    }

    @Test func mockStreamsToo() throws {
        let result = try run("llm-stream", ["-m", "mock/echo", "hello"], stdin: nil)
        #expect(result.status == 0)
        #expect(result.records.filter { $0["type"] == "delta" }.first?["content"] == "hello")
        #expect(result.lastRecord?["content"] == "hello")
    }
}

