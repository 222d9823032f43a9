@testable import LLMKit
import Testing

/// How each format writes one normalized request: the parts a fake server could accept
/// either way, checked on the body itself.
@Suite struct TranslationTests {
    let weather = ToolDefinition(name: "get_weather", description: "d", parameters: [
        "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "additionalProperties": false,
        "properties": ["city": ["type": ["string", "null"], "default": "Paris"], "unit": ["const": "c"], "where": ["$ref": "#/$defs/place"]],
        "$defs": ["place": ["type": "object", "properties": ["lat": ["type": "number"]]]],
    ])

    func request(_ messages: [ChatMessage], tools: [ToolDefinition] = [], extra: JSONObject = [:]) -> CompletionRequest {
        var options = RequestOptions()
        options.extra = extra
        return CompletionRequest(model: ModelReference(provider: "p", name: "m"), messages: messages, tools: tools, options: options)
    }

    func anthropic(_ request: CompletionRequest) -> JSONObject {
        AnthropicRequestBuilder(settings: ProviderSettings(name: "anthropic", format: "anthropic"), apiKey: nil).body(for: request)
    }

    func gemini(_ request: CompletionRequest) -> JSONObject {
        GeminiRequestBuilder(settings: ProviderSettings(name: "gemini", format: "gemini"), apiKey: nil).body(for: request)
    }

    func ollama(_ request: CompletionRequest) -> JSONObject { OllamaChatRequest.body(for: request, stream: false) }

    var toolTurns: [ChatMessage] {
        var call = ChatMessage(role: "assistant", toolCalls: [ToolCall(id: "call.1/x", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                                                             ToolCall(id: "call_2", name: "get_weather", arguments: "not json")])
        call.thinkingBlocks = [["type": "thinking", "thinking": "hm", "signature": "s1"]]
        return [.system("one"), .user("Weather?"), .system("two"), call,
                ChatMessage(role: "tool", content: "18C", toolCallID: "call.1/x"),
                ChatMessage(role: "tool", content: #"{"temp": 18}"#, toolCallID: "call_2"), .user("Thanks")]
    }

    @Test func anthropicHoistsSystemMergesResultsAndKeepsThinking() {
        let body = anthropic(request(toolTurns))
        #expect(body["system"] == "one\n\ntwo")
        #expect(body["max_tokens"] == 4096)
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.map { $0["role"]?.stringValue ?? "" } == ["user", "assistant", "user"])
        let assistant = messages[1]["content"]?.arrayValue ?? []
        #expect(assistant.first == ["type": "thinking", "thinking": "hm", "signature": "s1"], "thinking first, unmodified")
        let ids = assistant.compactMap { $0["type"] == "tool_use" ? $0["id"]?.stringValue : nil }
        #expect(ids.count == 2 && ids.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
        #expect(assistant.last?["input"] == ["arguments": "not json"], "arguments that are not an object are wrapped, not dropped")
        let results = messages[2]["content"]?.arrayValue ?? []
        #expect(results.map { $0["type"]?.stringValue ?? "" } == ["tool_result", "tool_result", "text"], "both results, then the text, in one turn")
        #expect(results.prefix(2).compactMap { $0["tool_use_id"]?.stringValue } == ids, "results name the rewritten ids")
    }

    static let anthropicChoices: [(JSONValue, JSONValue)] = [
        ("auto", ["type": "auto"]), ("none", ["type": "none"]), ("required", ["type": "any"]),
        (["type": "function", "function": ["name": "get_weather"]], ["type": "tool", "name": "get_weather"]),
    ]
    static let geminiChoices: [(JSONValue, JSONValue)] = [
        ("auto", ["mode": "AUTO"]), ("none", ["mode": "NONE"]), ("required", ["mode": "ANY"]),
        (["type": "function", "function": ["name": "get_weather"]], ["mode": "ANY", "allowedFunctionNames": ["get_weather"]]),
    ]

    @Test(arguments: anthropicChoices)
    func anthropicToolChoice(choice: JSONValue, expected: JSONValue) {
        #expect(anthropic(request([.user("u")], tools: [weather], extra: ["tool_choice": choice]))["tool_choice"] == expected)
    }

    @Test(arguments: geminiChoices)
    func geminiToolChoice(choice: JSONValue, expected: JSONValue) {
        #expect(gemini(request([.user("u")], tools: [weather], extra: ["tool_choice": choice]))["toolConfig"]?["functionCallingConfig"] == expected)
    }

    @Test func ollamaCannotForceACallButNarrowsOrDrops() {
        let other = ToolDefinition(name: "other")
        let named = ollama(request([.user("u")], tools: [weather, other], extra: ["tool_choice": ["type": "function", "function": ["name": "other"]]]))
        #expect(named["tools"]?.arrayValue?.count == 1)
        #expect(ollama(request([.user("u")], tools: [weather], extra: ["tool_choice": "none"]))["tools"] == nil)
    }

    @Test func geminiSchemaIsCutToItsSubset() {
        let body = gemini(request([.user("u")], tools: [weather]))
        let parameters = body["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue?.first?["parameters"]
        #expect(parameters == [
            "type": "object",
            "properties": ["city": ["type": "string", "nullable": true], "unit": ["enum": ["c"], "type": "string"],
                           "where": ["type": "object", "properties": ["lat": ["type": "number"]]]],
        ])
    }

    @Test func geminiTurnsRolesAndResponses() {
        let body = gemini(request(toolTurns))
        #expect(body["systemInstruction"] == ["parts": [["text": "one\n\ntwo"]]])
        let contents = body["contents"]?.arrayValue ?? []
        #expect(contents.map { $0["role"]?.stringValue ?? "" } == ["user", "model", "user"])
        let responses = contents[2]["parts"]?.arrayValue?.compactMap { $0["functionResponse"] } ?? []
        #expect(responses == [["name": "get_weather", "response": ["result": "18C"]], ["name": "get_weather", "response": ["temp": 18]]])
    }

    @Test func ollamaOptionsAndToolMessages() {
        var r = request(toolTurns, extra: ["num_ctx": 8192, "top_p": 0.5, "keep_alive": "5m"])
        r.options.maxTokens = 64
        r.options.seed = 7
        let body = ollama(r)
        #expect(body["options"] == ["num_predict": 64, "seed": 7, "num_ctx": 8192, "top_p": 0.5])
        #expect(body["keep_alive"] == "5m")
        #expect(body["stream"] == false)
        let messages = body["messages"]?.arrayValue ?? []
        #expect(messages.first == ["role": "system", "content": "one\n\ntwo"])
        #expect(messages[2]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == ["city": "Paris"], "arguments as an object")
        #expect(messages[3]["tool_name"] == "get_weather")
    }

    @Test func reasoningEffortBecomesEachFormsBudget() {
        var r = request([.user("u")], extra: ["reasoning_effort": "medium"])
        r.options.temperature = 0.2
        let a = anthropic(r)
        #expect(a["thinking"] == ["type": "enabled", "budget_tokens": 4096])
        #expect(a["max_tokens"]?.intValue ?? 0 > 4096 && a["temperature"] == nil && a["reasoning_effort"] == nil)
        #expect(gemini(r)["generationConfig"]?["thinkingConfig"] == ["thinkingBudget": 8192, "includeThoughts": true])
        #expect(ollama(r)["think"] == "medium")
    }

    @Test func openAIOnlyFieldsDoNotReachAnthropic() {
        let body = anthropic(request([.user("u")], extra: ["frequency_penalty": 0.5, "top_k": 5, "seed": 1]))
        #expect(body["frequency_penalty"] == nil && body["seed"] == nil)
        #expect(body["top_k"] == 5, "its own sampling settings pass through")
    }
}

/// What sets the hosted OpenAI-compatible presets apart.
@Suite struct DialectTests {
    func body(_ provider: String, _ messages: [ChatMessage], seed: Int? = nil) throws -> JSONObject {
        let settings = try #require(ProviderPresets.preset(provider, environment: Environment([:])))
        var options = RequestOptions()
        options.seed = seed
        let request = CompletionRequest(model: ModelReference(provider: provider, name: "m"), messages: messages, options: options)
        return try #require(try JSONParser.parse(OpenAIRequestBuilder(settings: settings, apiKey: nil).httpRequest(for: request).body ?? []).objectValue)
    }

    @Test func mistralSeedAndCallIDs() throws {
        let turns = [ChatMessage.user("u"), ChatMessage(role: "assistant", toolCalls: [ToolCall(id: "toolu_01ABC", name: "f", arguments: "{}")]),
                     ChatMessage(role: "tool", content: "r", toolCallID: "toolu_01ABC")]
        let mistral = try body("mistral", turns, seed: 3)
        #expect(mistral["random_seed"] == 3 && mistral["seed"] == nil)
        let messages = mistral["messages"]?.arrayValue ?? []
        let id = try #require(messages[1]["tool_calls"]?.arrayValue?.first?["id"]?.stringValue)
        #expect(id.count == 9 && id.allSatisfy { $0.isLetter || $0.isNumber })
        #expect(messages[2]["tool_call_id"]?.stringValue == id)
        #expect(try body("groq", turns, seed: 3)["seed"] == 3)
        #expect(try body("groq", turns)["messages"]?.arrayValue?[1]["tool_calls"]?.arrayValue?.first?["id"] == "toolu_01ABC")
    }

    @Test func groqUsageTimesBecomeTimings() throws {
        let chunk = try JSONParser.parse(#"{"id":"x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"req_1","usage":{"prompt_tokens":20,"completion_tokens":50,"prompt_time":0.01,"completion_time":0.25}}}"#)
        var assembler = OpenAIStreamAssembler(provider: "groq")
        _ = try assembler.consume(SSEEvent(data: chunk.serialized))
        #expect(assembler.summary.usage == Usage(inputTokens: 20, outputTokens: 50))
        #expect(assembler.summary.serverTimings.tokensPerSecond == 200)
        #expect(assembler.summary.serverTimings.promptTokensPerSecond == 2000)
    }

    @Test func openRouterSaysWhoItIs() throws {
        let settings = try #require(ProviderPresets.preset("openrouter", environment: Environment([:])))
        #expect(settings.headers.contains { $0.name == "X-Title" && $0.value == "llmkit" })
    }

    @Test func geminiReadsEitherGoogleVariable() throws {
        let settings = try #require(ProviderPresets.preset("gemini", environment: Environment([:])))
        #expect(try APIKeyResolver.resolve(settings, environment: Environment(["GOOGLE_API_KEY": "g-key-123456"]), configPath: nil) == "g-key-123456")
        #expect(try APIKeyResolver.resolve(settings, environment: Environment(["GOOGLE_API_KEY": "g", "GEMINI_API_KEY": "first-key-123"]), configPath: nil) == "first-key-123")
    }
}

@Suite struct NativeStreamTests {
    func feed(_ assembler: inout AnthropicStreamAssembler, _ events: [(String, String)]) throws -> [StreamDelta] {
        var deltas: [StreamDelta] = []
        for (type, data) in events { deltas += try assembler.consume(SSEEvent(type: type, data: data)) }
        return deltas
    }

    /// LiteLLM's proxy streams one call as several `tool_use` blocks with one id.
    @Test func anthropicBlocksWithOneIDAreOneCall() throws {
        var assembler = AnthropicStreamAssembler(provider: "anthropic")
        let deltas = try feed(&assembler, [
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_a","name":"f","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"x\":"}}"#),
            ("content_block_start", #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"f","input":{}}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"1}"}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}"#),
        ])
        #expect(deltas == [.toolCall(index: 0, id: "call_a", name: "f", arguments: ""), .toolCall(index: 0, id: nil, name: nil, arguments: "{\"x\":"),
                           .toolCall(index: 0, id: nil, name: nil, arguments: "1}")])
        #expect(assembler.summary.finishReason == "tool_calls")
    }

    @Test func anthropicUsageIsCumulativeAndCachedIsAdded() throws {
        var assembler = AnthropicStreamAssembler(provider: "anthropic")
        _ = try feed(&assembler, [
            ("message_start", #"{"type":"message_start","message":{"id":"m","usage":{"input_tokens":5,"cache_read_input_tokens":100,"cache_creation_input_tokens":20,"output_tokens":1}}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":40}}"#),
            ("message_delta", #"{"type":"message_delta","delta":{},"usage":{"output_tokens":42}}"#),
        ])
        #expect(assembler.summary.usage == Usage(inputTokens: 125, outputTokens: 42, cacheReadTokens: 100, cacheWriteTokens: 20))
    }

    @Test func geminiThoughtTokensCountAsOutput() {
        let usage = GeminiStreamAssembler.usage(from: ["promptTokenCount": 40, "candidatesTokenCount": 12, "thoughtsTokenCount": 30, "cachedContentTokenCount": 8])
        #expect(usage == Usage(inputTokens: 40, outputTokens: 42, cacheReadTokens: 8, reasoningTokens: 30))
    }

    @Test func callIDsAreStableAndShaped() {
        #expect(CallID.alphanumeric("toolu_01", length: 9) == CallID.alphanumeric("toolu_01", length: 9))
        #expect(CallID.alphanumeric("abcDEF123", length: 9) == "abcDEF123")
        #expect(CallID.wordCharacters("call.1/x") != CallID.wordCharacters("call_1_x"))
        #expect(CallID.synthesized(turn: 1, index: 0, name: "f", arguments: "{}") == CallID.synthesized(turn: 1, index: 0, name: "f", arguments: "{}"))
        #expect(CallID.synthesized(turn: 1, index: 0, name: "f", arguments: "{}") != CallID.synthesized(turn: 2, index: 0, name: "f", arguments: "{}"))
    }

    @Test func runnerTextSurvivesCharactersCutAcrossReads() {
        var pieces = UTF8Pieces()
        let bytes = Array("é😀x".utf8)
        var text = ""
        for byte in bytes { text += pieces.decode([byte][...]) }
        #expect(text == "é😀x")
    }
}

@Suite struct GeminiURLTests {
    /// Records choose the model, and Gemini's model is in the URL path: it may name a model
    /// and nothing else (no other path, no query, no fragment).
    @Test(arguments: ["../../v1/files", "m?key=x", "m#frag", "a/b", "..", "m:streamGenerateContent", "m%2F"])
    func aModelNameStaysOnePathSegment(name: String) throws {
        let settings = ProviderSettings(name: "gemini", format: "gemini", apiBase: "https://generativelanguage.googleapis.com/v1beta")
        let request = CompletionRequest(model: ModelReference(provider: "gemini", name: name), messages: [.user("u")])
        let http = GeminiRequestBuilder(settings: settings, apiKey: "k").httpRequest(for: request)
        let url = try ParsedURL(http.url)
        #expect(url.host == "generativelanguage.googleapis.com")
        let path = try #require(http.url.split(separator: "?").first.map(String.init))
        #expect(path.hasPrefix("https://generativelanguage.googleapis.com/v1beta/models/"))
        let segment = path.dropFirst("https://generativelanguage.googleapis.com/v1beta/models/".count)
        #expect(!segment.contains("/") && !segment.contains("#") && segment.hasSuffix(":generateContent"), "\(http.url)")
        #expect(!http.url.contains("?"), "\(http.url)")
    }
}
