import Foundation
import LLMKit
import Testing

/// `llm-complete` against the fake OpenAI-compatible server: replies, errors, requests.
@Suite struct CompleteFakeServerTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    func complete(_ arguments: [String], stdin: String? = "", model: String = "llamacpp/fake", environment: [String: String] = [:]) throws -> CommandResult {
        try run("llm-complete", ["-m", model, "--api-base", server.baseURL] + arguments, stdin: stdin, environment: environment)
    }

    @Test func textReplyCarriesModelUsageAndTimings() throws {
        let result = try complete(["hello"], stdin: nil)
        #expect(result.status == 0)
        let records = result.records
        #expect(records.count == 2)
        #expect(records[0] == ["role": "user", "content": "hello"])
        let reply = try #require(records.last)
        #expect(reply["role"] == "assistant")
        #expect(reply["content"] == "Echo: hello")
        #expect(reply["model"] == "llamacpp/fake")
        #expect(reply["finish_reason"] == "stop")
        #expect(reply["usage"] == ["input_tokens": 12, "output_tokens": 5, "cache_read_tokens": 4, "reasoning_tokens": 0])
        #expect(reply["timings"]?["total_ms"]?.doubleValue != nil)
    }

    @Test func textFlagWritesOnlyTheReply() throws {
        let result = try complete(["-t", "hello"], stdin: nil)
        #expect(result.status == 0)
        #expect(result.stdout == "Echo: hello\n")
    }

    @Test func stdinTextComesFirstThenTheArgument() async throws {
        let result = try complete(["-t", "summarize"], stdin: "line one\nline two\n")
        #expect(result.stdout == "Echo: line one\nline two\n\nsummarize\n")
    }

    @Test func conversationIsCopiedThroughThenReplied() throws {
        let input = """
            {"role":"system","content":"Be brief."}
            {"type":"note","text":"a record no tool here knows"}
            {"role":"user","content":"Weather?"}

            """
        let result = try complete([], stdin: input)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(Array(lines.prefix(3)) == input.split(separator: "\n").map(String.init))
        #expect(result.lastRecord?["content"] == "Echo: Weather?")
    }

    @Test func requestCarriesSettingsAndTools() async throws {
        let tools = Paths.temporaryDirectory().appendingPathComponent("tools.yaml")
        try """
            tools:
              - name: get_weather
                description: Current weather for a city
                parameters: {type: object, properties: {city: {type: string}}, required: [city]}
            """.write(to: tools, atomically: true, encoding: .utf8)
        let result = try complete(["-s", "terse", "--temperature", "0.2", "--max-tokens", "64", "--stop", "END", "--seed", "7",
                                   "--tools", tools.path, "hi"], stdin: nil)
        #expect(result.status == 0)
        let body = try #require(try await server.lastBody())
        #expect(body["model"] == "fake")
        #expect(body["messages"] == [["role": "system", "content": "terse"], ["role": "user", "content": "hi"]])
        #expect(body["temperature"] == 0.2)
        #expect(body["max_tokens"] == 64)
        #expect(body["stop"] == ["END"])
        #expect(body["seed"] == 7)
        #expect(body["tools"]?.arrayValue?.first?["function"]?["name"] == "get_weather")
        #expect(body["tools"]?.arrayValue?.first?["type"] == "function")
        // The system prompt from the flag also leads the output conversation.
        #expect(result.records.first == ["role": "system", "content": "terse"])
    }

    @Test func metadataIsNeverSentBack() async throws {
        let input = """
            {"role":"user","content":"hi"}
            {"role":"assistant","content":"hello","model":"x/y","finish_reason":"stop","usage":{"input_tokens":1},"timings":{"total_ms":3},"reasoning":"hmm"}
            {"role":"user","content":"again"}

            """
        _ = try complete([], stdin: input)
        let sent = try #require(try await server.lastBody()?["messages"]?.arrayValue)
        #expect(sent[1] == ["role": "assistant", "content": "hello"])
    }

    @Test func toolCallReply() throws {
        let result = try complete(["Weather in Paris?"], stdin: nil, model: "llamacpp/tool-call")
        #expect(result.status == 0)
        let reply = try #require(result.lastRecord)
        #expect(reply["content"] == .null)
        #expect(reply["finish_reason"] == "tool_calls")
        let call = try #require(reply["tool_calls"]?.arrayValue?.first)
        #expect(call == ["id": "call_1", "type": "function", "function": ["name": "get_weather", "arguments": "{\"city\":\"Paris\"}"]])
    }

    @Test func reasoningAndItsTokens() throws {
        let reply = try #require(try complete(["2+2?"], stdin: nil, model: "llamacpp/reasoning").lastRecord)
        #expect(reply["reasoning"] == "2+2 is 4")
        #expect(reply["usage"] == ["input_tokens": 30, "output_tokens": 50, "reasoning_tokens": 40])
    }

    @Test func structuredOutputIsRequestedAndValidated() async throws {
        let schema = Paths.temporaryDirectory().appendingPathComponent("schema.json")
        try #"{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}"#.write(to: schema, atomically: true, encoding: .utf8)
        let good = try complete(["--schema", schema.path, "2+2?"], stdin: nil, model: "llamacpp/structured")
        #expect(good.status == 0)
        #expect(good.lastRecord?["content"] == "{\"answer\": 4}")
        let format = try #require(try await server.lastBody()?["response_format"])
        #expect(format["type"] == "json_object")
        #expect(format["schema"]?["required"] == ["answer"])

        let openai = try complete(["--schema", schema.path, "2+2?"], stdin: nil, model: "vllm/structured")
        #expect(openai.status == 0)
        let openaiFormat = try #require(try await server.lastBody()?["response_format"])
        #expect(openaiFormat["type"] == "json_schema")
        #expect(openaiFormat["json_schema"]?["schema"]?["type"] == "object")

        let bad = try complete(["--schema", schema.path, "2+2?"], stdin: nil, model: "llamacpp/structured-bad")
        #expect(bad.status == 65)
        let records = bad.records
        #expect(records.dropLast().last?["content"] == "The answer is 4.", "the reply is kept")
        #expect(records.last?["code"] == "schema_mismatch")
    }

    @Test(arguments: [
        ("unauthorized", Int32(77), "authentication_failed", 401),
        ("unknown-model", 69, "model_not_found", 404),
        ("context", 65, "context_length_exceeded", 400),
        ("rate-limited", 75, "rate_limited", 429),
        ("server-error", 75, "server_error", 500),
    ])
    func providerErrorsBecomeRecordsAndExitCodes(model: String, status: Int32, code: String, http: Int) throws {
        let result = try complete(["--retries", "0", "hi"], stdin: nil, model: "llamacpp/\(model)")
        #expect(result.status == status)
        let error = try #require(result.lastRecord)
        #expect(error["type"] == "error")
        #expect(error["code"] == .string(code))
        #expect(error["status"] == .int(http))
        #expect(error["provider"] == "llamacpp")
        #expect(error["model"] == .string("llamacpp/\(model)"))
        #expect(result.records.first == ["role": "user", "content": "hi"], "the conversation still flows on")
        #expect(result.stderr.contains("llm-complete: error:"))
        #expect(result.stderr.split(separator: "\n").count == 1, "rendered once")
    }

    @Test func providerMessageIsKept() throws {
        let result = try complete(["--retries", "0", "hi"], stdin: nil, model: "llamacpp/unknown-model")
        #expect(result.lastRecord?["message"]?.stringValue?.contains("The model `unknown-model` does not exist") == true)
    }

    @Test func retriesRecoverFromOverload() async throws {
        let result = try complete(["-v", "hi"], stdin: nil, model: "llamacpp/flaky")
        #expect(result.status == 0)
        #expect(result.lastRecord?["content"] == "Echo: hi")
        #expect(try await server.requests().count == 2)
        #expect(result.stderr.contains("retrying"))
    }

    @Test func rateLimitIsRetriedThenReported() async throws {
        let result = try complete(["--retries", "2", "hi"], stdin: nil, model: "llamacpp/rate-limited")
        #expect(result.status == 75)
        #expect(try await server.requests().count == 3)
    }

    @Test func nonJSONReplyIsAnError() throws {
        let result = try complete(["hi"], stdin: nil, model: "llamacpp/not-json")
        #expect(result.status == 69)
        #expect(result.lastRecord?["code"] == "invalid_reply")
    }

    @Test func dryRunPrintsTheRequestWithTheKeyRedacted() async throws {
        let key = "sk-test-abcdef1234567890"
        let result = try run("llm-complete", ["--dry-run", "-v", "-m", "openai/gpt-4o-mini", "--max-tokens", "5", "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": server.baseURL])
        #expect(result.status == 0)
        let request = try #require(result.lastRecord)
        #expect(request["type"] == "http_request")
        #expect(request["url"] == .string(server.baseURL + "/chat/completions"))
        #expect(request["headers"]?["Authorization"] == "Bearer [REDACTED]")
        #expect(request["body"]?["max_tokens"] == 5, "a server at another address than OpenAI's knows only max_tokens")
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        #expect(try await server.requests().isEmpty, "a dry run sends nothing")
    }

    @Test func keyIsSentButNeverShown() async throws {
        let key = "sk-live-zyxwvu9876543210"
        let keyed = try FakeServer(arguments: ["--require-key", key])
        let ok = try run("llm-complete", ["-v", "-m", "openai/gpt-4o-mini", "hi"], stdin: nil,
                         environment: ["OPENAI_API_KEY": key, "OPENAI_BASE_URL": keyed.baseURL])
        #expect(ok.status == 0)
        #expect(try await keyed.requests().last?["headers"]?["Authorization"] == .string("Bearer \(key)"))
        // The fake server echoes a rejected key in its message, as OpenAI partly does.
        let wrong = key + "-old"
        let rejected = try run("llm-complete", ["-v", "-m", "openai/gpt-4o-mini", "hi"], stdin: nil,
                               environment: ["OPENAI_API_KEY": wrong, "OPENAI_BASE_URL": keyed.baseURL])
        #expect(rejected.status == 77)
        for text in [ok.stdout, ok.stderr, rejected.stdout, rejected.stderr] {
            #expect(!text.contains(key))
        }
        #expect(rejected.stderr.contains("[REDACTED]"))
    }

    @Test func keyFromCommandInConfig() async throws {
        let dir = Paths.temporaryDirectory()
        let config = dir.appendingPathComponent("config.yaml")
        try """
            aliases:
              work: corp/fake
            providers:
              corp:
                api_base: \(server.baseURL)
                api_key_cmd: echo sk-from-command-123
                headers: {X-Team: llmkit}
            """.write(to: config, atomically: true, encoding: .utf8)
        let result = try run("llm-complete", ["-m", "work", "-v", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path])
        #expect(result.status == 0)
        let headers = try #require(try await server.requests().last?["headers"])
        #expect(headers["Authorization"] == "Bearer sk-from-command-123")
        #expect(headers["X-Team"] == "llmkit")
        #expect(result.lastRecord?["model"] == "corp/fake")
        #expect(!result.stderr.contains("sk-from-command-123"))
    }

    /// A config whose provider `corp` (key variable CORP_KEY) gets its key from a command
    /// that leaves `marker` behind when it runs.
    func configWithKeyCommand() throws -> (config: URL, marker: URL) {
        let dir = Paths.temporaryDirectory()
        let config = dir.appendingPathComponent("config.yaml")
        let marker = dir.appendingPathComponent("ran")
        try """
            providers:
              corp:
                api_base: \(server.baseURL)
                api_key_env: CORP_KEY
                api_key_cmd: touch \(marker.path); echo sk-from-command-123
            """.write(to: config, atomically: true, encoding: .utf8)
        return (config, marker)
    }

    /// A provider's own api_key_cmd wins over its key variable: the command was configured
    /// for that provider on purpose, while a variable such as OPENAI_API_KEY is shared by
    /// every tool, and sending it to a provider whose api_base is a proxy would hand the
    /// proxy the real key. The one documented exception to "environment before config".
    @Test func apiKeyCmdWinsOverTheSharedVariable() async throws {
        let (config, marker) = try configWithKeyCommand()
        let result = try run("llm-complete", ["-m", "corp/fake", "hi"], stdin: nil,
                             environment: ["LLMKIT_CONFIG": config.path, "CORP_KEY": "sk-from-environment-456"])
        #expect(result.status == 0, "\(result.stderr)")
        let headers = try #require(try await server.requests().last?["headers"])
        #expect(headers["Authorization"] == "Bearer sk-from-command-123")
        #expect(FileManager.default.fileExists(atPath: marker.path))
    }

    /// A variable that holds only whitespace holds no key: nothing is sent with an empty one.
    @Test func aBlankKeyVariableIsAMissingKey() async throws {
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini", "--api-base", server.baseURL, "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": " \n"])
        #expect(result.status == 77, "\(result.stderr)")
        #expect(try await server.requests().isEmpty, "a request went out with an empty key")
    }

    /// --dry-run shows requests; with --resume it would poll a batch service for real.
    @Test func dryRunAndResumeDoNotGoTogether() throws {
        let result = try run("llm-complete", ["--dry-run", "--resume", "job.jsonl"], stdin: nil)
        #expect(result.status == 64, "\(result.stderr)")
    }

    /// Showing the request needs no credentials: no api_key_cmd runs, and a missing key is
    /// no error (the key would be masked anyway).
    @Test func dryRunNeedsNoCredentials() throws {
        let (config, marker) = try configWithKeyCommand()
        let viaCommand = try run("llm-complete", ["--dry-run", "-m", "corp/fake", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path])
        #expect(viaCommand.status == 0, "\(viaCommand.stderr)")
        #expect(viaCommand.lastRecord?["type"] == "http_request")
        #expect(!FileManager.default.fileExists(atPath: marker.path), "--dry-run ran api_key_cmd")
        let noKey = try run("llm-complete", ["--dry-run", "-m", "openai/gpt-4o-mini", "hi"], stdin: nil)
        #expect(noKey.status == 0, "\(noKey.stderr)")
        #expect(noKey.lastRecord?["headers"]?["Authorization"] == "Bearer [REDACTED]")
    }

    @Test func batchKeepsOrderAndSurvivesAFailedRequest() throws {
        var lines: [String] = []
        for i in 1...12 {
            let text = i == 5 ? "please FAIL" : "request \(i)"
            lines.append(#"{"id":"r\#(i)","messages":[{"role":"user","content":"\#(text)"}]}"#)
        }
        let result = try complete(["-j", "4", "--retries", "0"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 75, "the failed request's status")
        let records = result.records
        #expect(records.map { $0["id"]?.stringValue } == (1...12).map { "r\($0)" })
        for (i, record) in records.enumerated() {
            if i == 4 {
                #expect(record["error"]?["code"] == "server_error")
                #expect(record["message"] == nil)
            } else {
                #expect(record["message"]?["content"] == .string("Echo: request \(i + 1)"))
            }
        }
        #expect(result.stderr.contains("request r5"))
    }

    @Test func batchAPILines() throws {
        let input = """
            {"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"llamacpp/fake","messages":[{"role":"user","content":"one"}]}}
            {"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"llamacpp/fake","messages":[{"role":"user","content":"two"}]}}

            """
        let result = try run("llm-complete", ["--api-base", server.baseURL], stdin: input)
        #expect(result.status == 0)
        #expect(result.records.map { $0["custom_id"] } == ["a", "b"])
        #expect(result.records.map { $0["message"]?["content"] } == ["Echo: one", "Echo: two"])
    }

    @Test func malformedLineNamesItsNumber() throws {
        let result = try complete([], stdin: "{\"role\":\"user\",\"content\":\"hi\"}\n{\"role\":\"user\",\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("line 2"))
    }

    @Test func refusedConnectionNamesTheHost() throws {
        let result = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9/v1", "hi"], stdin: nil)
        #expect(result.status == 69)
        #expect(result.stderr.contains("127.0.0.1:9"))
        #expect(result.lastRecord?["code"] == "connection_failed")
    }

    @Test func missingKeyNamesTheVariable() throws {
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini", "hi"], stdin: nil)
        #expect(result.status == 77)
        #expect(result.stderr.contains("OPENAI_API_KEY"))
    }

    @Test func optionsRecordSetsTheModelButFlagsWin() async throws {
        let input = """
            {"type":"options","model":"llamacpp/from-options","temperature":0.9}
            {"role":"user","content":"hi"}

            """
        _ = try run("llm-complete", ["--api-base", server.baseURL, "--temperature", "0.1"], stdin: input)
        let body = try #require(try await server.lastBody())
        #expect(body["model"] == "from-options")
        #expect(body["temperature"] == 0.1)
    }

    @Test func timeoutIsATemporaryFailure() throws {
        let start = Date()
        let result = try complete(["--timeout", "0.5", "--retries", "0", "hi"], stdin: nil, model: "llamacpp/slow")
        #expect(result.status == 75)
        #expect(result.lastRecord?["code"] == "timeout")
        #expect(result.stderr.contains("--timeout"))
        #expect(Date().timeIntervalSince(start) < 2.5)
    }
}
