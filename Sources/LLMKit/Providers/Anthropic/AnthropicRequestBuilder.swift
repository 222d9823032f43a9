/// Builds `POST {api_base}/v1/messages`: the conversation in Anthropic's shape.
///
/// System messages are hoisted to `system`; tool results become `tool_result` blocks in a
/// user turn (consecutive ones in one turn); turns of one role are merged, since the API
/// wants them to alternate; thinking blocks go back as they came.
public struct AnthropicRequestBuilder: Sendable {
    public var settings: ProviderSettings
    public var apiKey: String?

    /// The version header every Anthropic SDK still sends.
    static let defaultVersion = "2023-06-01"
    /// `max_tokens` is required by the API: this is sent when the request sets none.
    public static let defaultMaxTokens = 4096
    /// Thinking budgets for `reasoning_effort`.
    static let thinkingBudgets = ["minimal": 1024, "low": 1024, "medium": 4096, "high": 16384]
    /// Request fields only OpenAI's API has: translated above, or not sent.
    static let openAIOnlyFields: Set<String> = [
        "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "frequency_penalty", "presence_penalty",
        "logit_bias", "logprobs", "top_logprobs", "n", "user", "seed", "stream_options", "max_completion_tokens",
    ]

    public init(settings: ProviderSettings, apiKey: String?) {
        self.settings = settings
        self.apiKey = apiKey
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool = false) -> HTTPRequest {
        var http = HTTPRequest(method: "POST", url: settings.url("v1/messages", for: request))
        http.headers = [("Content-Type", "application/json")] + headers
        var bytes: [UInt8] = []
        body(for: request, stream: stream).write(to: &bytes)
        http.body = bytes
        return http
    }

    /// Who we are and which API version we speak: on every request, models list included.
    var headers: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let apiKey { headers.append(("x-api-key", apiKey)) }
        headers.append(("anthropic-version", settings.options["anthropic_version"]?.stringValue ?? Self.defaultVersion))
        return headers + settings.headers
    }

    public func body(for request: CompletionRequest, stream: Bool = false) -> JSONObject {
        let options = request.options
        let shape = ConversationShape(request.messages)
        var body = JSONObject()
        body["model"] = .string(request.model.name)
        var maxTokens = options.maxTokens ?? settings.options["default_max_tokens"]?.intValue ?? Self.defaultMaxTokens
        body.set("system", shape.system.map(JSONValue.string))
        body["messages"] = .array(Self.messages(shape))
        var thinking = false
        if let effort = options.extra["reasoning_effort"]?.stringValue, let budget = Self.thinkingBudgets[effort] {
            body["thinking"] = ["type": "enabled", "budget_tokens": .int(budget)]
            maxTokens = max(maxTokens, budget + 1024)
            thinking = true
        }
        body["max_tokens"] = .int(maxTokens)
        // Anthropic takes 0–1 where OpenAI takes 0–2; with thinking on, only the default.
        if !thinking { body.set("temperature", options.temperature.map { .double(min($0, 1)) }) }
        if let stop = options.stop, !stop.isEmpty { body["stop_sequences"] = .array(stop.map(JSONValue.string)) }
        let choice = ToolChoice.of(request)
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                var o: JSONObject = ["name": .string(tool.name)]
                o.set("description", tool.description.map(JSONValue.string))
                o["input_schema"] = tool.parameters
                return .object(o)
            })
            var form: JSONObject? = switch choice {
            case .auto?: ["type": "auto"]
            case .none?: ["type": "none"]
            case .required?: ["type": "any"]
            case .named(let name)?: ["type": "tool", "name": .string(name)]
            case nil: nil
            }
            if options.extra["parallel_tool_calls"] == false {
                if form == nil { form = ["type": "auto"] }
                form?["disable_parallel_tool_use"] = true
            }
            body.set("tool_choice", form.map(JSONValue.object))
        }
        if let schema = options.schema {
            body["output_config"] = ["format": ["type": "json_schema", "schema": schema]]
        }
        if let user = options.extra["user"]?.stringValue { body["metadata"] = ["user_id": .string(user)] }
        for (key, value) in options.extra.entries where body[key] == nil && !Self.openAIOnlyFields.contains(key) { body[key] = value }
        if stream { body["stream"] = true }
        return body
    }

    /// The turns, alternating user and assistant.
    static func messages(_ shape: ConversationShape) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        func add(_ role: String, _ blocks: [JSONValue]) {
            guard !blocks.isEmpty else { return }
            if turns.last?.role == role { turns[turns.count - 1].blocks += blocks } else { turns.append((role, blocks)) }
        }
        for message in shape.turns {
            switch message.role {
            case "assistant":
                var blocks = message.thinkingBlocks
                if let text = message.text, !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                for call in message.toolCalls {
                    blocks.append(["type": "tool_use", "id": .string(CallID.wordCharacters(call.id)), "name": .string(call.name),
                                   "input": .object(call.argumentsObject)])
                }
                add("assistant", blocks)
            case "tool":
                var result: JSONObject = ["type": "tool_result", "tool_use_id": .string(CallID.wordCharacters(message.toolCallID ?? ""))]
                result["content"] = .string(message.text ?? "")
                add("user", [.object(result)])
            default:
                add("user", message.contentParts.compactMap(block))
            }
        }
        return turns.map { turn in
            // A lone text block is sent as a string, the simpler form every proxy of this API reads.
            if turn.blocks.count == 1, turn.blocks[0]["type"] == "text", let text = turn.blocks[0]["text"] {
                return .object(["role": .string(turn.role), "content": text])
            }
            return .object(["role": .string(turn.role), "content": .array(turn.blocks)])
        }
    }

    /// An OpenAI content part as an Anthropic block.
    private static func block(_ part: JSONObject) -> JSONValue? {
        if part["type"]?.stringValue == "text" {
            guard let text = part["text"]?.stringValue, !text.isEmpty else { return nil }
            return ["type": "text", "text": .string(text)]
        }
        switch ContentImage(part: part) {
        case .base64(let mediaType, let data)?:
            return ["type": "image", "source": ["type": "base64", "media_type": .string(mediaType), "data": .string(data)]]
        case .url(let url)?:
            return ["type": "image", "source": ["type": "url", "url": .string(url)]]
        case nil:
            return .object(part)  // an Anthropic block written as one
        }
    }
}
