/// The `/api/chat` body: sampling settings go in `options` under Modelfile names, tool
/// call arguments are objects, tool results name their tool.
enum OllamaChatRequest {
    /// Request fields that are Modelfile parameters, and so belong in `options`.
    static let modelOptions: Set<String> = [
        "num_ctx", "num_keep", "num_batch", "num_gpu", "num_thread", "top_k", "top_p", "min_p", "typical_p", "repeat_last_n",
        "repeat_penalty", "presence_penalty", "frequency_penalty", "mirostat", "mirostat_tau", "mirostat_eta", "tfs_z",
    ]
    /// OpenAI's alone, or translated: not sent as they are.
    static let translatedFields: Set<String> = [
        "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "logit_bias", "logprobs", "top_logprobs",
        "n", "user", "stream_options", "max_completion_tokens",
    ]

    static func body(for request: CompletionRequest, stream: Bool) -> JSONObject {
        let options = request.options
        var body = JSONObject()
        body["model"] = .string(request.model.name)
        let shape = ConversationShape(request.messages)
        var messages: [JSONValue] = []
        if let system = shape.system { messages.append(["role": "system", "content": .string(system)]) }
        for message in shape.turns { messages.append(.object(wire(message, shape: shape))) }
        body["messages"] = .array(messages)
        var tools = request.tools
        switch ToolChoice.of(request) {
        case .none?: tools = []
        case .named(let name)?: tools = tools.filter { $0.name == name }  // Ollama cannot force a call; it can narrow the choice
        default: break
        }
        if !tools.isEmpty { body["tools"] = .array(tools.map { ["type": "function", "function": $0.json] }) }
        if let schema = options.schema { body["format"] = schema }
        if let effort = options.extra["reasoning_effort"]?.stringValue { body["think"] = effort == "none" ? false : .string(effort) }
        var modelOptions = JSONObject()
        modelOptions.set("temperature", options.temperature.map(JSONValue.double))
        modelOptions.set("num_predict", options.maxTokens.map(JSONValue.int))
        modelOptions.set("seed", options.seed.map(JSONValue.int))
        if let stop = options.stop, !stop.isEmpty { modelOptions["stop"] = .array(stop.map(JSONValue.string)) }
        for (key, value) in options.extra.entries {
            if Self.modelOptions.contains(key) {
                if modelOptions[key] == nil { modelOptions[key] = value }
            } else if key != "options", body[key] == nil, !Self.translatedFields.contains(key) {
                body[key] = value  // `keep_alive`, `think`
            }
        }
        if let given = options.extra["options"]?.objectValue {
            for (key, value) in given.entries where modelOptions[key] == nil { modelOptions[key] = value }
        }
        if !modelOptions.isEmpty { body["options"] = .object(modelOptions) }
        body["stream"] = .bool(stream)  // Ollama streams unless told not to
        return body
    }

    private static func wire(_ message: ChatMessage, shape: ConversationShape) -> JSONObject {
        var o: JSONObject = ["role": .string(message.role == "tool" || message.role == "assistant" ? message.role : "user")]
        o["content"] = .string(message.text ?? "")
        var images: [JSONValue] = []
        for part in message.contentParts {
            if case .base64(_, let data)? = ContentImage(part: part) { images.append(.string(data)) }
        }
        if !images.isEmpty { o["images"] = .array(images) }
        if !message.toolCalls.isEmpty {
            o["tool_calls"] = .array(message.toolCalls.map { call in
                ["id": .string(call.id), "function": ["name": .string(call.name), "arguments": .object(call.argumentsObject)]]
            })
        }
        if message.role == "tool" {
            o["tool_name"] = .string(shape.toolName(of: message))
            o.set("tool_call_id", message.toolCallID.map(JSONValue.string))
        }
        return o
    }
}
