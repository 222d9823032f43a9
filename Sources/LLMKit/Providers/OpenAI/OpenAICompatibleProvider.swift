import Synchronization

/// Chat Completions over HTTP: OpenAI and every server that copies its API.
public struct OpenAICompatibleProvider: Provider {
    public let settings: ProviderSettings
    let builder: OpenAIRequestBuilder
    let client: HTTPClient
    let learned: LearnedServerStyles

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared, learned: LearnedServerStyles = LearnedServerStyles()) {
        self.settings = settings
        self.builder = OpenAIRequestBuilder(settings: settings, apiKey: apiKey)
        self.client = client
        self.learned = learned
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest? {
        builderFor(request).httpRequest(for: request, stream: stream)
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        do {
            return try await completeOnce(request, builder: builderFor(request))
        } catch {
            guard let fallback = fallbackBuilder(after: error, for: request) else { throw error }
            do {
                return try await completeOnce(request, builder: fallback)
            } catch {
                throw Self.namingTheSetting(error, provider: settings.name)
            }
        }
    }

    private func completeOnce(_ request: CompletionRequest, builder: OpenAIRequestBuilder) async throws(LLMError) -> ChatMessage {
        var http = builder.httpRequest(for: request)
        http.idleTimeout = request.options.idleTimeout
        let response: HTTPResponse
        do {
            response = try await client.send(http)
        } catch {
            throw error.llmError(provider: settings, timeout: http.timeout).attributed(provider: settings.name, model: request.model.description)
        }
        guard (200..<300).contains(response.status) else {
            throw HTTPErrorMapper.error(for: response, to: http, provider: settings, model: request.model)
        }
        return try wholeReply(response, to: http, model: request.model)
    }

    /// A complete reply body: JSON with `choices`, read into a message. A page (a proxy's
    /// HTML, a login screen) or other text is not an API reply, and is said to be one.
    func wholeReply(_ response: HTTPResponse, to http: HTTPRequest, model: ModelReference) throws(LLMError) -> ChatMessage {
        let parsed = response.mediaType == "text/html" ? nil : try? JSONParser.parse(response.body)
        guard let body = parsed else {
            let start = HTTPErrorMapper.oneLine(String(decoding: Redactor.redact(bytes: response.body).prefix(4096), as: UTF8.self), limit: 120)
            throw LLMError(.invalidReply, "\(http.host) (\(settings.name)) answered with \(response.mediaType ?? "no content type"), not an API reply: \(start)",
                           status: response.status, provider: settings.name, model: model.description)
        }
        var message: ChatMessage
        do {
            message = try OpenAIResponseParser.message(from: body, provider: settings.name)
        } catch {
            throw error.attributed(provider: settings.name, model: model.description)
        }
        let total = response.totalTime * 1000
        let rate = OpenAIResponseParser.serverTokensPerSecond(body)
            ?? message.usage?.outputTokens.flatMap { tokens in response.totalTime > 0 ? Double(tokens) / response.totalTime : nil }
        message.timings = Timings(totalMs: total, tokensPerSecond: rate)
        return message
    }

    /// The request builder, with the structured-output form this server was found to take.
    func builderFor(_ request: CompletionRequest) -> OpenAIRequestBuilder {
        guard request.options.schema != nil, settings.structuredOutput == .jsonSchema,
              learned.takesOnlyJSONObject(builder.url(for: request)) else { return builder }
        var settings = self.settings
        settings.structuredOutput = .jsonObject
        return OpenAIRequestBuilder(settings: settings, apiKey: builder.apiKey)
    }

    /// After a server refused OpenAI's `json_schema` form (llama-cpp-python: "Input should be
    /// 'text' or 'json_object'"), the builder for llama.cpp's `json_object` + schema form,
    /// remembered for the rest of the run; nil when that is not what went wrong.
    func fallbackBuilder(after error: LLMError, for request: CompletionRequest) -> OpenAIRequestBuilder? {
        guard request.options.schema != nil, settings.structuredOutput == .jsonSchema, error.kind == .badRequest,
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
