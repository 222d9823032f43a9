/// One message of a conversation, in the OpenAI Chat Completions shape.
///
/// Fields llmkit adds to the assistant messages it produces (`model`, `usage`, …) are kept
/// apart from the wire fields so that a provider request never carries them back.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    /// A string, an array of content parts, or `nil`/`.null` (an assistant turn with only tool calls).
    public var content: JSONValue?
    public var toolCalls: [ToolCall]
    public var toolCallID: String?
    public var name: String?
    public var reasoning: String?
    /// Anthropic's thinking blocks as they came (`thinking` with its `signature`, or
    /// `redacted_thinking`): Anthropic wants them back unmodified on the next turn; every
    /// other provider gets `reasoning` or nothing. LiteLLM's name and shape.
    public var thinkingBlocks: [JSONValue] = []

    public var model: String?
    public var finishReason: String?
    public var usage: Usage?
    public var timings: Timings?
    public var id: String?
    /// Fields llmkit does not model, kept so a record passes through unchanged.
    public var extra: JSONObject

    public init(
        role: String, content: JSONValue? = nil, toolCalls: [ToolCall] = [], toolCallID: String? = nil,
        name: String? = nil
    ) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
        self.extra = JSONObject()
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: "system", content: .string(text)) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: "user", content: .string(text)) }

    static let modelledKeys: Set<String> = [
        "role", "content", "tool_calls", "tool_call_id", "name", "reasoning", "reasoning_content",
        "model", "finish_reason", "usage", "timings", "id", "thinking_blocks",
    ]

    public init(json object: JSONObject) throws(LLMError) {
        guard let role = object["role"]?.stringValue else {
            throw LLMError(.invalidInput, "a message needs a string \"role\"")
        }
        self.role = role
        switch object["content"] {
        case nil, .null?, .string?, .array?: content = object["content"]
        default: throw LLMError(.invalidInput, "\"content\" must be a string, an array of parts, or null")
        }
        var calls: [ToolCall] = []
        if let items = object["tool_calls"]?.arrayValue {
            for (i, item) in items.enumerated() {
                guard let call = ToolCall(json: item, fallbackID: "call_\(i)") else {
                    throw LLMError(.invalidInput, "tool call \(i + 1) has no function name")
                }
                calls.append(call)
            }
        }
        toolCalls = calls
        toolCallID = object["tool_call_id"]?.stringValue
        name = object["name"]?.stringValue
        reasoning = object["reasoning"]?.stringValue ?? object["reasoning_content"]?.stringValue
        thinkingBlocks = object["thinking_blocks"]?.arrayValue?.filter { $0.objectValue != nil } ?? []
        model = object["model"]?.stringValue
        finishReason = object["finish_reason"]?.stringValue
        usage = Usage(json: object["usage"])
        timings = Timings(json: object["timings"])
        id = object["id"]?.stringValue
        extra = object.removing(Self.modelledKeys)
    }

    /// The text of the message: the string content, or its text parts joined.
    public var text: String? {
        switch content {
        case .string(let s)?: return s
        case .array(let parts)?:
            let texts = parts.compactMap { part -> String? in
                guard let o = part.objectValue, o["type"]?.stringValue == "text" else { return nil }
                return o["text"]?.stringValue
            }
            return texts.isEmpty ? nil : texts.joined(separator: "\n")
        default: return nil
        }
    }

    /// The full record, llmkit's metadata included, for stdout.
    public var record: JSONObject {
        var o = wireObject
        if role == "assistant", content == nil || content == .null { o["content"] = .null }
        if toolCalls.contains(where: { !$0.extra.isEmpty }) { o["tool_calls"] = .array(toolCalls.map(\.recordJSON)) }
        o.set("reasoning", reasoning.map(JSONValue.string))
        if !thinkingBlocks.isEmpty { o["thinking_blocks"] = .array(thinkingBlocks) }
        o.set("model", model.map(JSONValue.string))
        o.set("finish_reason", finishReason.map(JSONValue.string))
        if let usage, !usage.isEmpty { o["usage"] = usage.json }
        o.set("timings", timings?.json)
        o.set("id", id.map(JSONValue.string))
        for (k, v) in extra.entries where o[k] == nil { o[k] = v }
        return o
    }

    /// Only what a provider understands: never llmkit's own metadata.
    ///
    /// An assistant turn with only tool calls is sent with `"content": ""`, not `null`:
    /// OpenAI accepts both, but llama-cpp-python rejects the `null` it itself returns.
    public var wireObject: JSONObject {
        var o = JSONObject()
        o["role"] = .string(role)
        if let content, content != .null {
            o["content"] = content
        } else if role == "assistant" {
            o["content"] = ""
        }
        if !toolCalls.isEmpty { o["tool_calls"] = .array(toolCalls.map(\.json)) }
        o.set("tool_call_id", toolCallID.map(JSONValue.string))
        if role == "tool" { o.set("name", name.map(JSONValue.string)) }
        return o
    }
}
