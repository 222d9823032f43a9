/// What a request not yet sent will cost at most: its prompt tokens guessed, its output
/// taken at `max_tokens` (`llm-cost --estimate`, to check a batch before running it).
///
/// No tokenizer ships with llmkit, so prompt tokens are approximated the way OpenAI's own
/// guidance does: a token per 4 bytes of UTF-8 text (rounded up), 4 tokens framing each
/// message, 3 priming the reply; tool definitions as their JSON; an image part 1,000
/// tokens. English prose lands within about 10% of a real count; code and non-Latin
/// scripts run higher, so treat the figure as a guide, not a bound.
public struct RequestEstimate: Sendable, Equatable {
    public var model: String?
    public var promptTokens: Int
    /// `nil` when the request sets no limit: its output, and so its cost, is unbounded.
    public var maxOutputTokens: Int?

    /// A batch request line (`{"messages":…}` or an OpenAI Batch API line with `body`);
    /// nil for any other record.
    public init?(request record: JSONObject) {
        let body = record["body"]?.objectValue ?? record
        guard let messages = body["messages"]?.arrayValue else { return nil }
        self.init(messages: messages, tools: body["tools"], model: body["model"]?.stringValue,
                  maxTokens: (body["max_completion_tokens"] ?? body["max_tokens"])?.intValue)
    }

    public init(messages: [JSONValue], tools: JSONValue?, model: String?, maxTokens: Int?) {
        self.model = model
        self.maxOutputTokens = maxTokens.map { max(0, $0) }
        var tokens = 3
        for message in messages {
            tokens += 4
            switch message["content"] {
            case .string(let text)?: tokens += Self.tokens(utf8: text.utf8.count)
            case .array(let parts)?:
                for part in parts {
                    if let text = part["text"]?.stringValue { tokens += Self.tokens(utf8: text.utf8.count) } else { tokens += 1000 }
                }
            default: break
            }
            if let calls = message["tool_calls"] { tokens += Self.tokens(utf8: calls.serialized.utf8.count) }
        }
        if let tools, tools != .null { tokens += Self.tokens(utf8: tools.serialized.utf8.count) }
        promptTokens = tokens
    }

    static func tokens(utf8 bytes: Int) -> Int { (bytes + 3) / 4 }

    /// The worst case, as usage: every prompt token uncached, every allowed output token used.
    public var usage: Usage {
        Usage(inputTokens: promptTokens, outputTokens: maxOutputTokens ?? 0)
    }
}
