/// Anthropic's Messages API (`anthropic/…`).
public enum AnthropicFormat: ProviderFormat {
    public static let name = "anthropic"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: true, structuredOutput: true, reasoning: true)
    public static let optionKeys: Set<String> = ["anthropic_version", "default_max_tokens"]

    public static func problem(in options: JSONObject, provider: String) -> String? {
        if let version = options["anthropic_version"] {
            guard let text = version.stringValue, !text.isEmpty else { return "anthropic_version must be a date like 2023-06-01" }
            if let problem = HeaderCheck.problem(name: "anthropic-version", value: text) { return "anthropic_version: \(problem)" }
        }
        if let tokens = options["default_max_tokens"], (tokens.intValue ?? 0) < 1 { return "default_max_tokens must be a whole number, 1 or more" }
        return nil
    }

    public static func presets(environment: Environment) -> [ProviderSettings] {
        [ProviderPresets.hosted(name, format: name, base: environment["ANTHROPIC_BASE_URL"] ?? "https://api.anthropic.com", key: "ANTHROPIC_API_KEY")]
    }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        AnthropicProvider(settings: settings, apiKey: try context.apiKey(for: settings), client: context.client)
    }
}

/// Anthropic over HTTP: a request builder, a reply parser and a stream assembler.
public struct AnthropicProvider: HTTPChatProvider {
    public let settings: ProviderSettings
    public let client: HTTPClient
    let builder: AnthropicRequestBuilder
    public var framing: StreamFraming { .sse() }

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
        self.builder = AnthropicRequestBuilder(settings: settings, apiKey: apiKey)
    }

    public func request(for request: CompletionRequest, stream: Bool) -> HTTPRequest {
        builder.httpRequest(for: request, stream: stream)
    }

    public func reply(from body: JSONValue, for request: CompletionRequest) throws(LLMError) -> ChatMessage {
        try AnthropicResponseParser.message(from: body, provider: settings.name)
    }

    public func assembler(for request: CompletionRequest) -> AnthropicStreamAssembler {
        AnthropicStreamAssembler(provider: settings.name)
    }

    /// `GET /v1/models`: free, and it checks the key.
    public func health(timeout: Double) async -> ServerHealth {
        let url = settings.url("v1/models?limit=1000")
        return await ServerProbe(client: client, timeout: timeout, headers: builder.headers)
            .hosted(url, server: "anthropic", names: ServerProbe.openAIModels).advised(by: settings)
    }
}
