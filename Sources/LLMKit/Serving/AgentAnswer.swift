/// What an agent shows while it works, however it runs.
public enum AgentEvent: Sendable, Equatable {
    /// Reply text, to stream at once.
    case text(String)
    case reasoning(String)
    /// A tool turn, as text a chat client can render (`show_steps`).
    case step(String)
}

/// How an agent's work ended.
public struct AgentAnswer: Sendable {
    /// The reply; `nil` when the agent failed before it had one.
    public var reply: ChatMessage?
    /// The reply's text went out as `text` events already.
    public var replyStreamed = false
    /// All of the agent's turns together.
    public var usage: Usage?
    public var error: LLMError?

    public init(reply: ChatMessage? = nil, replyStreamed: Bool = false, usage: Usage? = nil, error: LLMError? = nil) {
        self.reply = reply
        self.replyStreamed = replyStreamed
        self.usage = usage
        self.error = error
    }
}
