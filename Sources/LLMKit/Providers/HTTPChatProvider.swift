import Synchronization

/// A provider that speaks JSON over HTTP. It says how to build the request, read a whole
/// reply and assemble a stream; sending, error mapping, timings, and streaming with the
/// partial reply kept through every way a stream can end come with the protocol.
public protocol HTTPChatProvider: Provider {
    associatedtype Assembler: StreamAssembler
    var settings: ProviderSettings { get }
    var client: HTTPClient { get }
    var framing: StreamFraming { get }

    /// The request, without the deadlines and limits `prepared` adds.
    func request(for request: CompletionRequest, stream: Bool) -> HTTPRequest
    /// A 2xx JSON body, read into the assistant message.
    func reply(from body: JSONValue, for request: CompletionRequest) throws(LLMError) -> ChatMessage
    func assembler(for request: CompletionRequest) -> Assembler
    /// A non-2xx response as an error; by default `HTTPErrorMapper`'s reading.
    func error(for response: HTTPResponse, to http: HTTPRequest, model: ModelReference) -> LLMError
}

extension HTTPChatProvider {
    public func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest? {
        prepared(self.request(for: request, stream: stream), for: request)
    }

    public func error(for response: HTTPResponse, to http: HTTPRequest, model: ModelReference) -> LLMError {
        HTTPErrorMapper.error(for: response, to: http, provider: settings, model: model)
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        try await exchange(request, http: prepared(self.request(for: request, stream: false), for: request))
    }

    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        await streamExchange(request, http: prepared(self.request(for: request, stream: true), for: request), into: collector)
    }

    /// Deadlines and the reply size limit, the same for every provider.
    func prepared(_ http: HTTPRequest, for request: CompletionRequest) -> HTTPRequest {
        var http = http
        http.timeout = request.options.timeout ?? settings.timeout
        http.idleTimeout = request.options.idleTimeout
        http.maxBodyBytes = settings.maxReplyBytes
        return http
    }

    /// Sends `http` and reads the whole reply.
    func exchange(_ request: CompletionRequest, http: HTTPRequest) async throws(LLMError) -> ChatMessage {
        let response: HTTPResponse
        do {
            response = try await client.send(http)
        } catch {
            var failure = error.llmError(provider: settings, timeout: http.timeout)
            // Half a whole reply is worth nothing and nothing of it was passed on: asking
            // again is safe, however much arrived before the server stalled or hung up.
            if error.kind == .stalled || error.kind == .connectionLost { failure.retryable = true }
            throw failure.attributed(provider: settings.name, model: request.model.description)
        }
        guard (200..<300).contains(response.status) else {
            throw self.error(for: response, to: http, model: request.model)
        }
        return try wholeReply(response, to: http, for: request)
    }

    /// A complete reply body read into a message. A page (a proxy's HTML, a login screen)
    /// or other text is not an API reply, and is said to be one.
    func wholeReply(_ response: HTTPResponse, to http: HTTPRequest, for request: CompletionRequest) throws(LLMError) -> ChatMessage {
        let parsed = response.mediaType == "text/html" ? nil : try? JSONParser.parse(response.body)
        guard let body = parsed else {
            let start = HTTPErrorMapper.oneLine(String(decoding: Redactor.redact(bytes: response.body).prefix(4096), as: UTF8.self), limit: 120)
            throw LLMError(.invalidReply, "\(http.host) (\(settings.name)) answered with \(response.mediaType ?? "no content type"), not an API reply: \(start)",
                           status: response.status, provider: settings.name, model: request.model.description)
        }
        var message: ChatMessage
        do {
            message = try reply(from: body, for: request)
        } catch {
            throw error.attributed(provider: settings.name, model: request.model.description)
        }
        let rate = message.usage?.outputTokens.flatMap { tokens in response.totalTime > 0 ? Double(tokens) / response.totalTime : nil }
        message.timings = (message.timings ?? Timings()).measuring(totalMs: response.totalTime * 1000, fallbackRate: rate)
        return message
    }

    /// Streams `http`. Pieces go out the moment their event is parsed, on the transfer
    /// thread; the reply received so far survives every way a stream can end early
    /// (mid-stream error, dropped connection, stall, closed stdout).
    func streamExchange(_ request: CompletionRequest, http: HTTPRequest, into collector: StreamCollector) async -> StreamOutcome {
        let model = request.model.description
        let state = Mutex(StreamState(framing: framing, assembler: assembler(for: request), replyLimit: settings.maxReplyBytes,
                                      joinsPieces: collector.joinsPieces))

        func partial(_ error: LLMError) -> StreamOutcome {
            let summary = state.withLock { s in
                s.finish(collector)
                return s.summary
            }
            return StreamOutcome(message: collector.message(summary: summary, finishReason: "error"),
                                 error: error.attributed(provider: settings.name, model: model))
        }

        let response: HTTPResponse
        do {
            response = try await client.send(http) { bytes in
                state.withLock { s in s.feed(bytes, collector) }
            }
        } catch {
            var failure = error.llmError(provider: settings, timeout: http.timeout)
            if error.kind == .connectionLost || error.kind == .stalled, !collector.receivedAnything {
                // Nothing passed on yet: asking again repeats nothing.
                failure.retryable = true
            } else if error.kind == .connectionLost {
                failure = LLMError(.streamInterrupted, "the connection to \(settings.name) at \(http.host) was lost in the middle of the reply: \(error.detail)",
                                   provider: settings.name, retryable: false)
            }
            return partial(failure)
        }
        guard (200..<300).contains(response.status) else {
            return partial(self.error(for: response, to: http, model: request.model))
        }
        if !response.body.isEmpty {
            // Not a stream: a server that ignored `stream` (its whole reply), or a page.
            do {
                return collector.deliverWhole(try wholeReply(response, to: http, for: request))
            } catch {
                return partial(error)
            }
        }
        let (summary, failure, stopped) = state.withLock { s in
            s.finish(collector)
            return (s.summary, s.error, s.stopped)
        }
        if let failure { return partial(failure) }
        if !stopped && !summary.ended && summary.finishReason == nil {
            return partial(LLMError(.streamInterrupted, "\(settings.name) at \(http.host) ended the stream before the reply was complete",
                                    provider: settings.name, retryable: !collector.receivedAnything))
        }
        return StreamOutcome(message: collector.message(summary: summary))
    }
}
