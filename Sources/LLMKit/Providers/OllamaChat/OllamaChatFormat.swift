/// Ollama's native API (`ollama_chat/…`): `/api/chat`, NDJSON streams, `options`, and
/// the server's own timings. `ollama/…` stays on its OpenAI-compatible `/v1`.
public enum OllamaChatFormat: ProviderFormat {
    public static let name = "ollama_chat"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: true, structuredOutput: true, reasoning: true)

    public static func presets(environment: Environment) -> [ProviderSettings] {
        [ProviderPresets.local(name, format: name, base: ProviderPresets.ollamaBase(environment["OLLAMA_HOST"]), key: "OLLAMA_API_KEY",
                               hint: "start it with `ollama serve`")]
    }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        OllamaChatProvider(settings: settings, apiKey: try context.apiKey(for: settings), client: context.client)
    }
}

public struct OllamaChatProvider: HTTPChatProvider {
    public let settings: ProviderSettings
    public let client: HTTPClient
    let apiKey: String?
    public var framing: StreamFraming { .ndjson }

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared) {
        self.settings = settings
        self.apiKey = apiKey
        self.client = client
    }

    public func request(for request: CompletionRequest, stream: Bool) -> HTTPRequest {
        var http = HTTPRequest(method: "POST", url: settings.url("api/chat", for: request))
        http.headers = [("Content-Type", "application/json")]
        // Ollama itself takes no key; a proxy in front of it (or ollama.com) may.
        if let apiKey { http.headers.append(("Authorization", "Bearer \(apiKey)")) }
        http.headers.append(contentsOf: settings.headers)
        var bytes: [UInt8] = []
        OllamaChatRequest.body(for: request, stream: stream).write(to: &bytes)
        http.body = bytes
        return http
    }

    public func reply(from body: JSONValue, for request: CompletionRequest) throws(LLMError) -> ChatMessage {
        var assembler = assembler(for: request)
        return try assembler.message(from: body)
    }

    public func health(timeout: Double) async -> ServerHealth {
        var headers = settings.headers
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        return await ServerProbe(client: client, timeout: timeout, headers: headers).identify(settings.apiBase ?? "").advised(by: settings)
    }

    public func assembler(for request: CompletionRequest) -> OllamaChatAssembler {
        OllamaChatAssembler(provider: settings.name, turn: ConversationShape.assistantTurns(in: request.messages))
    }
}
