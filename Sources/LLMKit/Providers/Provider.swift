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
    /// The HTTP request `complete` would send, for `--dry-run`; `nil` for providers that
    /// send none (mock).
    func httpRequest(for request: CompletionRequest) throws(LLMError) -> HTTPRequest?

    /// One attempt, no retries: the assistant message, with `finish_reason`, `usage` and
    /// `timings` where known.
    func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage
}
