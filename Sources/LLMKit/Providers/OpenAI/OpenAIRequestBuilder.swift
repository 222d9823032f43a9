/// Builds `POST {api_base}/chat/completions` for any OpenAI-compatible server.
public struct OpenAIRequestBuilder: Sendable {
    public var settings: ProviderSettings
    public var apiKey: String?
    public var dialect: OpenAIDialect

    public init(settings: ProviderSettings, apiKey: String?) {
        self.settings = settings
        self.apiKey = apiKey
        self.dialect = OpenAIDialect(settings.options)
    }

    /// Where the request goes: `--api-base` / `LLMKIT_API_BASE`, else the provider's.
    func url(for request: CompletionRequest) -> String {
        settings.url("chat/completions", for: request)
    }

    /// A message as this server takes it: ids rewritten where the dialect says so.
    private func wire(_ message: ChatMessage) -> JSONValue {
        guard dialect.callIDs != .any else { return .object(message.wireObject) }
        var message = message
        for i in message.toolCalls.indices { message.toolCalls[i].id = dialect.callID(message.toolCalls[i].id) }
        message.toolCallID = message.toolCallID.map(dialect.callID)
        return .object(message.wireObject)
    }

    public func body(for request: CompletionRequest, stream: Bool = false) -> JSONObject {
        let options = request.options
        var body = JSONObject()
        body["model"] = .string(request.model.name)
        body["messages"] = .array(request.messages.map(wire))
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["type": "function", "function": tool.json]
            })
        }
        body.set("temperature", options.temperature.map(JSONValue.double))
        body.set(dialect.maxTokensField(for: url(for: request)), options.maxTokens.map(JSONValue.int))
        if let stop = options.stop, !stop.isEmpty { body["stop"] = .array(stop.map(JSONValue.string)) }
        body.set(dialect.seedField, options.seed.map(JSONValue.int))
        if let schema = options.schema {
            switch dialect.structuredOutput {
            case .jsonSchema:
                body["response_format"] = [
                    "type": "json_schema",
                    "json_schema": ["name": .string(Self.schemaName(schema)), "schema": schema],
                ]
            case .jsonObject:
                body["response_format"] = ["type": "json_object", "schema": schema]
            }
        }
        for (key, value) in options.extra.entries where body[key] == nil { body[key] = value }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return body
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool = false) -> HTTPRequest {
        var http = HTTPRequest(method: "POST", url: url(for: request))
        http.headers = [("Content-Type", "application/json")]
        if let apiKey { http.headers.append(("Authorization", "Bearer \(apiKey)")) }
        http.headers.append(contentsOf: settings.headers)
        var bytes: [UInt8] = []
        body(for: request, stream: stream).write(to: &bytes)
        http.body = bytes
        return http
    }

    /// The schema's `title` if it has a usable one: OpenAI requires a name of `[a-zA-Z0-9_-]`.
    static func schemaName(_ schema: JSONValue) -> String {
        guard let title = schema["title"]?.stringValue else { return "response" }
        let cleaned = String(title.unicodeScalars.filter { $0.properties.isAlphabetic && $0.isASCII || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }.prefix(64))
        return cleaned.isEmpty ? "response" : cleaned
    }
}
