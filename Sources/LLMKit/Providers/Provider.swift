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
    /// For providers with no streaming API: the whole reply, delivered as one piece.
    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        do throws(LLMError) {
            let message = try await complete(request)
            if let reasoning = message.reasoning { collector.receive(.reasoning(reasoning)) }
            if let text = message.text, !text.isEmpty { collector.receive(.content(text)) }
            for (i, call) in message.toolCalls.enumerated() {
                collector.receive(.toolCall(index: i, id: call.id, name: call.name, arguments: call.arguments))
            }
            collector.flush()
            return StreamOutcome(message: message)
        } catch {
            return StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
        }
    }
}
