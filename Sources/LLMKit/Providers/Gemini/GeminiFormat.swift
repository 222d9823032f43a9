/// Google's Gemini API (`gemini/…`), v1beta, keyed by `x-goog-api-key`.
public enum GeminiFormat: ProviderFormat {
    public static let name = "gemini"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: true, structuredOutput: true, reasoning: true)

    public static func presets(environment: Environment) -> [ProviderSettings] {
        var settings = ProviderPresets.hosted(name, format: name, base: "https://generativelanguage.googleapis.com/v1beta", key: "GEMINI_API_KEY")
        settings.apiKeyEnvs.append("GOOGLE_API_KEY")  // the google-genai SDK reads either
        return [settings]
    }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        GeminiProvider(settings: settings, apiKey: try context.apiKey(for: settings), client: context.client)
    }
}

/// Gemini over HTTP. The key goes in a header, never in the URL, where logs and proxies
/// would keep it.
public struct GeminiProvider: HTTPChatProvider {
    public let settings: ProviderSettings
    public let client: HTTPClient
    let builder: GeminiRequestBuilder
    public var framing: StreamFraming { .sse(strayLines: true) }

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
        self.builder = GeminiRequestBuilder(settings: settings, apiKey: apiKey)
    }

    public func request(for request: CompletionRequest, stream: Bool) -> HTTPRequest {
        builder.httpRequest(for: request, stream: stream)
    }

    public func reply(from body: JSONValue, for request: CompletionRequest) throws(LLMError) -> ChatMessage {
        var assembler = assembler(for: request)
        return try assembler.message(from: body)
    }

    /// `GET {base}/models`: free, and it checks the key.
    public func health(timeout: Double) async -> ServerHealth {
        var headers = settings.headers
        if let key = builder.apiKey { headers.append(("x-goog-api-key", key)) }
        return await ServerProbe(client: client, timeout: timeout, headers: headers).hosted(settings.url("models?pageSize=1000"), server: "gemini") { body in
            (body?["models"]?.arrayValue ?? []).compactMap { item in
                item["name"]?.stringValue.map { ServedModel(name: $0.hasPrefix("models/") ? String($0.dropFirst(7)) : $0) }
            }
        }.advised(by: settings)
    }

    public func assembler(for request: CompletionRequest) -> GeminiStreamAssembler {
        GeminiStreamAssembler(provider: settings.name, turn: ConversationShape.assistantTurns(in: request.messages))
    }

    /// Gemini answers a bad key with 400 `API_KEY_INVALID`, and says when to retry in the
    /// body (`RetryInfo`), not in a header.
    public func error(for response: HTTPResponse, to http: HTTPRequest, model: ModelReference) -> LLMError {
        var error = HTTPErrorMapper.error(for: response, to: http, provider: settings, model: model)
        let body = try? JSONParser.parse(response.body)
        let details = body?["error"]?["details"]?.arrayValue ?? []
        if details.contains(where: { $0["reason"]?.stringValue == "API_KEY_INVALID" }) {
            let key = settings.apiKeyCommand != nil ? "the key from api_key_cmd" : "the key in \(settings.apiKeyEnvs.joined(separator: " or "))"
            error.kind = .authentication
            error.retryable = false
            error.message = "\(http.host) (\(settings.name)) rejected \(key) (HTTP \(response.status) API_KEY_INVALID)"
        }
        // A 429 that says when to retry is a rate limit, whatever its message says about
        // quota: Gemini words both the same way ("Resource has been exhausted").
        if let delay = details.first(where: { $0["retryDelay"] != nil })?["retryDelay"]?.stringValue,
           delay.hasSuffix("s"), let seconds = Double(delay.dropLast()), seconds.isFinite, seconds >= 0,
           response.status == 429 || error.retryable == true {
            if response.status == 429 {
                error.kind = .rateLimited
                error.message = error.message.replacingOccurrences(of: "quota exhausted", with: "rate limit reached")
            }
            error.retryable = true
            error.retryAfter = error.retryAfter ?? seconds
        }
        return error
    }
}
