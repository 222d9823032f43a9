/// A `POST /v1/chat/completions` body, read as llmkit reads its input: the inverse of
/// what `OpenAIFormat` writes for a provider. The body is the client's and untrusted: it
/// chooses what to ask (messages, tools, sampling), never where or as whom.
public struct ServedRequest: Sendable {
    /// The agent asked for: OpenAI's `model`.
    public var agent: String
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    /// Every setting of the body, for an agent answered in process.
    public var options: RequestOptions
    /// The settings a command agent gets as its `options` record, as the client wrote them.
    public var optionsRecord: JSONObject
    public var stream: Bool
    /// `stream_options.include_usage`: a last chunk carries the usage.
    public var includeUsage: Bool
    /// OpenAI's `user` field.
    public var user: String?

    /// The settings a command agent is given; the rest stay with the server.
    static let commandOptionKeys = ["temperature", "max_tokens", "stop", "seed", "response_format"]

    public init(body: [UInt8]) throws(LLMError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(body)
        } catch {
            throw LLMError(.invalidInput, "the request body is not JSON: \(error)")
        }
        guard let object = value.objectValue else { throw LLMError(.invalidInput, "the request body must be a JSON object") }
        guard let agent = object["model"]?.stringValue, !agent.isEmpty else {
            throw LLMError(.invalidInput, "\"model\" must name an agent (GET /v1/models lists them)")
        }
        self.agent = agent
        guard let items = object["messages"]?.arrayValue, !items.isEmpty else {
            throw LLMError(.invalidInput, "\"messages\" must be a non-empty array of messages")
        }
        messages = try items.map { item throws(LLMError) in
            guard let message = item.objectValue else { throw LLMError(.invalidInput, "each of \"messages\" must be an object") }
            return try ChatMessage(json: message)
        }
        tools = try object["tools"].map { value throws(LLMError) in try ToolDefinition.list(from: value) } ?? []
        switch object["stream"] {
        case nil, .null?: stream = false
        case .bool(let b)?: stream = b
        default: throw LLMError(.invalidInput, "\"stream\" must be true or false")
        }
        includeUsage = object["stream_options"]?["include_usage"]?.boolValue ?? false
        switch object["user"] {
        case nil, .null?: user = nil
        case .string(let s)?: user = s
        default: throw LLMError(.invalidInput, "\"user\" must be a string")
        }
        // `model` names the agent, not a model; `user` is identity, not a setting.
        options = try RequestOptions(json: object.removing(["model", "user", "system"]))
        var record = JSONObject()
        for key in Self.commandOptionKeys {
            if let value = object[key], value != .null { record[key] = value }
        }
        if record["max_tokens"] == nil, let value = object["max_completion_tokens"], value != .null { record["max_tokens"] = value }
        optionsRecord = record
    }

    /// Open WebUI's title, tags and follow-up requests: one user message that starts
    /// `### Task:`, not streamed. They go to the agent's `tasks` model when it has one.
    public var isClientTask: Bool {
        !stream && messages.count == 1 && messages[0].role == "user" && (messages[0].text ?? "").hasPrefix("### Task:")
    }
}
