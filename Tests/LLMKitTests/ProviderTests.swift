import Glibc
@testable import LLMKit
import Testing

@Suite struct RequestBuildingTests {
    func request(_ model: String, options: RequestOptions = RequestOptions(), tools: [ToolDefinition] = []) throws -> CompletionRequest {
        CompletionRequest(model: try ModelReference.resolve(model, config: Config()), messages: [.system("s"), .user("u")], tools: tools, options: options)
    }

    func build(_ provider: String, env: [String: String] = [:], key: String? = nil, options: RequestOptions = RequestOptions()) throws -> HTTPRequest {
        let settings = try #require(ProviderPresets.preset(provider, environment: Environment(env)))
        return OpenAIRequestBuilder(settings: settings, apiKey: key).httpRequest(for: try request("\(provider)/m", options: options))
    }

    func body(_ http: HTTPRequest) throws -> JSONObject { try #require(try JSONParser.parse(http.body ?? []).objectValue) }

    @Test(arguments: [
        ("openai", "https://api.openai.com/v1/chat/completions"), ("groq", "https://api.groq.com/openai/v1/chat/completions"),
        ("xai", "https://api.x.ai/v1/chat/completions"), ("openrouter", "https://openrouter.ai/api/v1/chat/completions"),
        ("deepseek", "https://api.deepseek.com/v1/chat/completions"), ("mistral", "https://api.mistral.ai/v1/chat/completions"),
        ("ollama", "http://127.0.0.1:11434/v1/chat/completions"), ("vllm", "http://localhost:8000/v1/chat/completions"),
        ("llamacpp", "http://127.0.0.1:8080/v1/chat/completions"), ("lm_studio", "http://localhost:1234/v1/chat/completions"),
        ("localai", "http://localhost:8080/v1/chat/completions"), ("textgen", "http://127.0.0.1:5000/v1/chat/completions"),
    ])
    func presetURLs(provider: String, url: String) throws {
        let http = try build(provider)
        #expect(http.url == url)
        #expect(http.method == "POST")
        #expect(try body(http)["model"] == "m")
    }

    @Test func hostedPresetsNeedKeysAndLocalOnesDoNot() {
        let env = Environment([:])
        for name in ["openai", "groq", "xai", "openrouter", "deepseek", "mistral"] {
            #expect(ProviderPresets.preset(name, environment: env)?.keyRequired == true, "\(name)")
        }
        for name in ["ollama", "vllm", "llamacpp", "lm_studio", "localai", "textgen", "mock"] {
            #expect(ProviderPresets.preset(name, environment: env)?.keyRequired == false, "\(name)")
        }
    }

    @Test func environmentMovesOpenAIAndOllama() throws {
        #expect(try build("openai", env: ["OPENAI_BASE_URL": "http://127.0.0.1:9/v1/"]).url == "http://127.0.0.1:9/v1/chat/completions")
        #expect(try build("ollama", env: ["OLLAMA_HOST": "box:1234"]).url == "http://box:1234/v1/chat/completions")
    }

    @Test func apiBaseOptionWins() throws {
        var options = RequestOptions()
        options.apiBase = "http://127.0.0.1:7/v1"
        #expect(try build("groq", options: options).url == "http://127.0.0.1:7/v1/chat/completions")
    }

    @Test func maxTokensFieldPerPreset() throws {
        var options = RequestOptions()
        options.maxTokens = 10
        #expect(try body(build("openai", options: options))["max_completion_tokens"] == 10)
        #expect(try body(build("groq", options: options))["max_tokens"] == 10)
    }

    @Test func authorizationAndPresetHeaders() throws {
        let http = try build("openrouter", key: "sk-or-1")
        #expect(http.headers.contains { $0.name == "Authorization" && $0.value == "Bearer sk-or-1" })
        #expect(http.headers.contains { $0.name == "X-Title" })
        #expect(!(try build("llamacpp")).headers.contains { $0.name == "Authorization" })
    }

    @Test func toolsAndSchemaAndExtras() throws {
        var options = RequestOptions()
        options.schema = ["type": "object", "title": "Weather Report!"]
        options.extra = ["top_p": 0.9]
        options.stop = ["a", "b"]
        let settings = try #require(ProviderPresets.preset("openai", environment: Environment([:])))
        let tool = ToolDefinition(name: "f", description: "d", parameters: ["type": "object"])
        let http = OpenAIRequestBuilder(settings: settings, apiKey: nil).httpRequest(for: try request("openai/m", options: options, tools: [tool]))
        let b = try body(http)
        #expect(b["tools"] == [["type": "function", "function": ["name": "f", "description": "d", "parameters": ["type": "object"]]]])
        #expect(b["response_format"]?["json_schema"]?["name"] == "WeatherReport")
        #expect(b["top_p"] == 0.9)
        #expect(b["stop"] == ["a", "b"])
        #expect(b["stream"] == nil)
    }

    @Test func systemFlagReplacesOrLeads() {
        let replaced = Completer.applying(system: "new", to: [.system("old"), .user("u")])
        #expect(replaced.map(\.text) == ["new", "u"])
        let led = Completer.applying(system: "new", to: [.user("u")])
        #expect(led.map(\.role) == ["system", "user"])
    }
}

@Suite struct ResponseParsingTests {
    @Test func usageNormalization() throws {
        let openai = try JSONParser.parse(#"{"prompt_tokens":120,"completion_tokens":40,"total_tokens":160,"prompt_tokens_details":{"cached_tokens":64},"completion_tokens_details":{"reasoning_tokens":16}}"#)
        #expect(OpenAIResponseParser.usage(from: openai) == Usage(inputTokens: 120, outputTokens: 40, cacheReadTokens: 64, reasoningTokens: 16))
        // Ollama /v1 reports only the totals: the rest stays absent, not 0.
        let ollama = try JSONParser.parse(#"{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}"#)
        let usage = try #require(OpenAIResponseParser.usage(from: ollama))
        #expect(usage.json == ["input_tokens": 10, "output_tokens": 3])
        // DeepSeek's own cache field.
        let deepseek = try JSONParser.parse(#"{"prompt_tokens":10,"completion_tokens":3,"prompt_cache_hit_tokens":8}"#)
        #expect(OpenAIResponseParser.usage(from: deepseek)?.cacheReadTokens == 8)
        #expect(OpenAIResponseParser.usage(from: nil) == nil)
    }

    @Test func messageFromCompletion() throws {
        let body = try JSONParser.parse(#"{"id":"c1","choices":[{"index":0,"message":{"role":"assistant","content":null,"reasoning":"think","tool_calls":[{"id":"t1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":"stop"}]}"#)
        let message = try OpenAIResponseParser.message(from: body, provider: "p")
        #expect(message.content == nil)
        #expect(message.reasoning == "think")
        #expect(message.toolCalls == [ToolCall(id: "t1", name: "f", arguments: "")])
        #expect(message.finishReason == "tool_calls", "stop with tool calls means tool_calls")
        #expect(message.usage == nil)
        #expect(message.id == "c1")
    }

    @Test func errorBodiesOnASuccessStatus() throws {
        #expect(throws: LLMError.self) { try OpenAIResponseParser.message(from: try JSONParser.parse(#"{"error":{"message":"boom"}}"#), provider: "p") }
        #expect(throws: LLMError.self) { try OpenAIResponseParser.message(from: try JSONParser.parse(#"{"choices":[]}"#), provider: "p") }
    }
}

@Suite struct ErrorMappingTests {
    let settings = ProviderSettings(name: "openai", apiBase: "https://api.openai.com/v1", apiKeyEnv: "OPENAI_API_KEY", keyRequired: true)
    let model = ModelReference(provider: "openai", name: "m")

    func map(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> LLMError {
        HTTPErrorMapper.error(for: HTTPResponse(status: status, headers: headers, body: Array(body.utf8)),
                              to: HTTPRequest(url: "http://127.0.0.1:8080/v1/chat/completions"), provider: settings, model: model)
    }

    @Test func statusesAndCodes() {
        #expect(map(401, #"{"error":{"message":"Incorrect API key","code":"invalid_api_key"}}"#).exitStatus == .permission)
        #expect(map(401, "{}").message.contains("OPENAI_API_KEY"))
        #expect(map(404, #"{"error":{"message":"The model `m` does not exist","code":"model_not_found"}}"#).kind == .modelNotFound)
        #expect(map(404, "File Not Found").kind == .notFound)
        // llama.cpp's numeric code and type.
        #expect(map(400, #"{"error":{"code":400,"type":"exceed_context_size_error","message":"request (13392 tokens) exceeds the available context size (8192 tokens)"}}"#).kind == .contextLengthExceeded)
        #expect(map(400, #"{"error":{"message":"bad temperature"}}"#).kind == .badRequest)
        #expect(map(429, #"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#).kind == .quotaExceeded)
        let limited = map(429, #"{"error":{"message":"Rate limit reached"}}"#, headers: [("retry-after-ms", "250")])
        #expect(limited.kind == .rateLimited && limited.retryable == true && limited.retryAfter == 0.25)
        #expect(map(503, "").kind == .overloaded)
        #expect(map(500, "").retryable == true)
        #expect(map(500, "", headers: [("x-should-retry", "false")]).retryable == false)
        // vLLM's older flat shape and FastAPI's detail.
        #expect(map(400, #"{"object":"error","message":"flat message","type":"BadRequestError","code":400}"#).message.contains("flat message"))
        #expect(map(422, #"{"detail":"field required"}"#).message.contains("field required"))
    }

    @Test func tracebacksFoldToOneLine() {
        let error = map(500, "{\"error\":{\"message\":\"line one\\n  line two\\n\\n   line three\"}}")
        #expect(!error.message.contains("\n"))
        #expect(error.message.contains("line one line two line three"))
    }

    @Test func retryDelays() {
        let policy = RetryPolicy(maxRetries: 2)
        let retryable = LLMError(.serverError, "x", retryable: true)
        #expect(policy.delay(forAttempt: 0, error: retryable).map { $0 >= 0.375 && $0 <= 0.5 } == true)
        #expect(policy.delay(forAttempt: 2, error: retryable) == nil)
        #expect(policy.delay(forAttempt: 0, error: LLMError(.badRequest, "x", retryable: false)) == nil)
        #expect(policy.delay(forAttempt: 0, error: LLMError(.rateLimited, "x", retryable: true, retryAfter: 3)) == 3)
        #expect(policy.delay(forAttempt: 0, error: LLMError(.rateLimited, "x", retryable: true, retryAfter: 600)) == nil)
    }
}

@Suite struct RedactionTests {
    @Test func registeredSecretsAreMaskedEverywhere() {
        Redactor.register("sk-unit-test-secret-42")
        #expect(Redactor.redact("key sk-unit-test-secret-42 here") == "key [REDACTED] here")
        // Every record leaves through a RecordWriter, which masks what it writes.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writer = RecordWriter(fd: fds[1])
        try? writer.write(["message": "Incorrect API key provided: sk-unit-test-secret-42"])
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = read(fds[0], &buffer, buffer.count)
        close(fds[0])
        #expect(String(decoding: buffer[..<max(0, n)], as: UTF8.self) == #"{"message":"Incorrect API key provided: [REDACTED]"}"# + "\n")
    }

    @Test func dryRunMasksAuthorization() throws {
        let settings = ProviderSettings(name: "p", apiBase: "http://127.0.0.1:1/v1", apiKeyEnv: "P_KEY", keyRequired: true)
        let provider = OpenAICompatibleProvider(settings: settings, apiKey: "sk-dry-run-secret")
        let config = Config()
        let completer = Completer(config: config, factory: ProviderFactory(config: config, environment: Environment([:])), flags: RequestOptions(),
                                  environmentOptions: RequestOptions(), retry: RetryPolicy(), log: Log(tool: "t", verbose: false))
        let record = try completer.dryRunRecord(CompletionRequest(model: ModelReference(provider: "p", name: "m"), messages: [.user("hi")]), provider: provider)
        #expect(record["headers"]?["Authorization"] == "Bearer [REDACTED]")
        #expect(!record.serialized.contains("sk-dry-run-secret"))
    }
}

@Suite struct MockProviderTests {
    @Test func echoRepliesWithTheLastUserMessage() async throws {
        let mock = MockProvider(settings: ProviderSettings(name: "mock", format: "mock"))
        let reply = try await mock.complete(CompletionRequest(model: ModelReference(provider: "mock", name: "echo"), messages: [.user("one two"), .user("three")]))
        #expect(reply.text == "three")
        #expect(reply.usage == Usage(inputTokens: 3, outputTokens: 1))
    }
}

@Suite struct SchemaTests {
    let schema: JSONValue = [
        "type": "object", "required": ["name", "age"], "additionalProperties": false,
        "properties": ["name": ["type": "string", "minLength": 1], "age": ["type": "integer", "minimum": 0],
                       "tags": ["type": "array", "items": ["enum": ["a", "b"]]]],
    ]

    @Test(arguments: [
        (#"{"name":"x","age":3}"#, nil),
        (#"{"name":"x","age":3.0}"#, nil),
        (#"{"name":"x"}"#, "$: missing required property \"age\""),
        (#"{"name":"x","age":"3"}"#, "$.age: expected integer, got string"),
        (#"{"name":"x","age":-1}"#, "$.age: less than 0.0"),
        (#"{"name":"","age":1}"#, "$.name: shorter than 1 characters"),
        (#"{"name":"x","age":1,"more":1}"#, "$: unexpected property \"more\""),
        (#"{"name":"x","age":1,"tags":["a","c"]}"#, "$.tags[1]: must be one of [\"a\",\"b\"]"),
        (#"[1]"#, "$: expected object, got array"),
    ] as [(String, String?)])
    func violations(json: String, expected: String?) throws {
        #expect(JSONSchemaValidator.firstViolation(of: try JSONParser.parse(json), against: schema) == expected)
    }
}
