import Synchronization

/// Chat Completions over HTTP: OpenAI and every server that copies its API.
public struct OpenAICompatibleProvider: HTTPChatProvider {
    public let settings: ProviderSettings
    public let client: HTTPClient
    let builder: OpenAIRequestBuilder
    let learned: LearnedServerStyles
    public var framing: StreamFraming { .sse() }

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared, learned: LearnedServerStyles = LearnedServerStyles()) {
        self.settings = settings
        self.builder = OpenAIRequestBuilder(settings: settings, apiKey: apiKey)
        self.client = client
        self.learned = learned
    }

    public func request(for request: CompletionRequest, stream: Bool) -> HTTPRequest {
        builderFor(request).httpRequest(for: request, stream: stream)
    }

    public func reply(from body: JSONValue, for request: CompletionRequest) throws(LLMError) -> ChatMessage {
        var message = try OpenAIResponseParser.message(from: body, provider: settings.name)
        message.timings = OpenAIResponseParser.serverTimings(body)
        return message
    }

    public func assembler(for request: CompletionRequest) -> OpenAIStreamAssembler {
        OpenAIStreamAssembler(provider: settings.name)
    }

    /// A local server is identified by its own endpoints; a hosted one is asked for its
    /// models list, which also checks the key.
    public func health(timeout: Double) async -> ServerHealth {
        var headers = settings.headers
        if let key = builder.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        let probe = ServerProbe(client: client, timeout: timeout, headers: headers)
        let base = settings.apiBase ?? ""
        let models = settings.url("models")
        let health = settings.isLocal || !settings.keyRequired
            ? await probe.identify(base, modelsURL: models)
            : await probe.hosted(models, server: settings.name, names: ServerProbe.openAIModels)
        return health.advised(by: settings)
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        do {
            return try await exchange(request, http: prepared(self.request(for: request, stream: false), for: request))
        } catch {
            guard let fallback = fallbackBuilder(after: error, for: request) else { throw error }
            do {
                return try await exchange(request, http: prepared(fallback.httpRequest(for: request), for: request))
            } catch {
                throw Self.namingTheSetting(error, provider: settings.name)
            }
        }
    }

    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        let outcome = await streamExchange(request, http: prepared(self.request(for: request, stream: true), for: request), into: collector)
        guard let error = outcome.error, !collector.receivedAnything,
              let fallback = fallbackBuilder(after: error, for: request) else { return outcome }
        var retried = await streamExchange(request, http: prepared(fallback.httpRequest(for: request, stream: true), for: request), into: collector)
        retried.error = retried.error.map { Self.namingTheSetting($0, provider: settings.name) }
        return retried
    }

    /// The request builder, with the structured-output form this server was found to take.
    func builderFor(_ request: CompletionRequest) -> OpenAIRequestBuilder {
        guard request.options.schema != nil, builder.dialect.structuredOutput == .jsonSchema,
              learned.takesOnlyJSONObject(builder.url(for: request)) else { return builder }
        var jsonObject = builder
        jsonObject.dialect.structuredOutput = .jsonObject
        return jsonObject
    }

    /// After a server refused OpenAI's `json_schema` form (llama-cpp-python: "Input should be
    /// 'text' or 'json_object'"), the builder for llama.cpp's `json_object` + schema form,
    /// remembered for the rest of the run; nil when that is not what went wrong.
    func fallbackBuilder(after error: LLMError, for request: CompletionRequest) -> OpenAIRequestBuilder? {
        guard request.options.schema != nil, builder.dialect.structuredOutput == .jsonSchema, error.kind == .badRequest,
              ["json_object", "json_schema", "response_format"].contains(where: error.message.contains),
              !learned.takesOnlyJSONObject(builder.url(for: request)) else { return nil }
        learned.rememberJSONObjectOnly(builder.url(for: request))
        return builderFor(request)
    }

    static func namingTheSetting(_ error: LLMError, provider: String) -> LLMError {
        guard error.kind == .badRequest else { return error }
        var error = error
        error.message += " (both structured-output forms were refused; see providers.\(provider).structured_output in the config)"
        return error
    }
}

/// What the servers of one run turned out to accept, so a fallback is found once, not on
/// every request of a batch.
public final class LearnedServerStyles: Sendable {
    private let jsonObjectOnly = Mutex<Set<String>>([])

    public init() {}

    func takesOnlyJSONObject(_ url: String) -> Bool { jsonObjectOnly.withLock { $0.contains(url) } }
    func rememberJSONObjectOnly(_ url: String) { _ = jsonObjectOnly.withLock { $0.insert(url) } }
}
