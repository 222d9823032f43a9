/// Chat Completions over HTTP: OpenAI and every server that copies its API.
public struct OpenAICompatibleProvider: Provider {
    public let settings: ProviderSettings
    let builder: OpenAIRequestBuilder
    let client: HTTPClient

    public init(settings: ProviderSettings, apiKey: String?, client: HTTPClient = .shared) {
        self.settings = settings
        self.builder = OpenAIRequestBuilder(settings: settings, apiKey: apiKey)
        self.client = client
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest? {
        builder.httpRequest(for: request, stream: stream)
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        let http = builder.httpRequest(for: request)
        let response: HTTPResponse
        do {
            response = try await client.send(http)
        } catch {
            throw error.llmError(provider: settings, timeout: http.timeout).attributed(provider: settings.name, model: request.model.description)
        }
        guard (200..<300).contains(response.status) else {
            throw HTTPErrorMapper.error(for: response, to: http, provider: settings, model: request.model)
        }
        let body: JSONValue
        do {
            body = try JSONParser.parse(response.body)
        } catch {
            let start = String(decoding: response.body.prefix(120), as: UTF8.self)
            throw LLMError(.invalidReply, "\(settings.name) at \(http.host) did not return JSON (\(error)): \(start)",
                           status: response.status, provider: settings.name, model: request.model.description)
        }
        var message: ChatMessage
        do {
            message = try OpenAIResponseParser.message(from: body, provider: settings.name)
        } catch {
            throw error.attributed(provider: settings.name, model: request.model.description)
        }
        let total = response.totalTime * 1000
        let rate = OpenAIResponseParser.serverTokensPerSecond(body)
            ?? message.usage?.outputTokens.flatMap { tokens in response.totalTime > 0 ? Double(tokens) / response.totalTime : nil }
        message.timings = Timings(totalMs: total, tokensPerSecond: rate)
        return message
    }
}
