/// One request to a model, normalized: the same whatever the provider.
public struct CompletionRequest: Sendable {
    public var model: ModelReference
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]
    public var options: RequestOptions

    public init(model: ModelReference, messages: [ChatMessage], tools: [ToolDefinition] = [], options: RequestOptions = RequestOptions()) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.options = options
    }
}

/// Something that turns a conversation into the next assistant message.
public protocol Provider: Sendable {
    /// The HTTP request `complete` (or, with `stream`, `stream`) would send, for `--dry-run`;
    /// `nil` for providers that send none (mock).
    func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest?

    /// One attempt, no retries: the assistant message, with `finish_reason`, `usage` and
    /// `timings` where known.
    func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage

    /// One streamed attempt: each piece goes to `collector` as it arrives. Never throws:
    /// the message received so far always comes back, with the error that ended it early.
    func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome

    /// Whether the provider's server answers, what it is, and what it serves, with no paid
    /// request: what `llm-probe` asks, so it needs no knowledge of any provider.
    func health(timeout: Double) async -> ServerHealth
}

/// How a stream ended: the message (partial if `error` is set) and why it stopped.
public struct StreamOutcome: Sendable {
    public var message: ChatMessage
    public var error: LLMError?

    public init(message: ChatMessage, error: LLMError? = nil) {
        self.message = message
        self.error = error
    }
}

extension Provider {
    /// The models the server serves; a server that is down is an error.
    public func models(timeout: Double = 5) async throws(LLMError) -> [ServedModel] {
        let health = await health(timeout: timeout)
        guard health.status != .down else {
            throw LLMError(.connectionFailed, "\(health.target) is down: \(health.error ?? "no answer")")
        }
        return health.models
    }

    /// For providers with no streaming API: the whole reply, delivered as one piece.
    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        do throws(LLMError) {
            return collector.deliverWhole(try await complete(request))
        } catch {
            return StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
        }
    }
}

extension StreamCollector {
    /// A whole reply, passed on as the pieces a stream would have carried.
    public func deliverWhole(_ reply: ChatMessage) -> StreamOutcome {
        var pieces: [StreamDelta] = []
        if let reasoning = reply.reasoning { pieces.append(.reasoning(reasoning)) }
        if let text = reply.text, !text.isEmpty { pieces.append(.content(text)) }
        var summary = StreamSummary()
        for (index, call) in reply.toolCalls.enumerated() {
            pieces.append(.toolCall(index: index, id: call.id, name: call.name, arguments: call.arguments))
            if !call.extra.isEmpty { summary.callExtras[index] = call.extra }
        }
        receive(pieces)
        flush()
        summary.finishReason = reply.finishReason
        summary.usage = reply.usage
        summary.id = reply.id
        summary.thinkingBlocks = reply.thinkingBlocks
        summary.serverTimings = reply.timings ?? Timings()
        summary.serverTimings.totalMs = nil
        summary.serverTimings.ttftMs = nil
        summary.ended = true
        var outcome = StreamOutcome(message: message(summary: summary))
        if !reply.extra.isEmpty { outcome.message.extra = reply.extra }
        return outcome
    }
}
