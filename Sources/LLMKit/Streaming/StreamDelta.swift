/// A piece of a reply as it arrives.
public enum StreamDelta: Sendable, Equatable {
    case content(String)
    case reasoning(String)
    /// A fragment of the call in slot `index`: the first carries `id` and `name`; argument
    /// text arrives in pieces to be concatenated.
    case toolCall(index: Int, id: String?, name: String?, arguments: String)

    /// `{"type":"delta",…}`, the record `llm-stream` writes for it.
    public var record: JSONObject {
        var o: JSONObject = ["type": "delta"]
        switch self {
        case .content(let text): o["content"] = .string(text)
        case .reasoning(let text): o["reasoning"] = .string(text)
        case .toolCall(let index, let id, let name, let arguments):
            var call: JSONObject = ["index": .int(index)]
            call.set("id", id.map(JSONValue.string))
            call.set("name", name.map(JSONValue.string))
            call["arguments"] = .string(arguments)
            o["tool_call"] = .object(call)
        }
        return o
    }
}

/// What a stream says about the reply as a whole, besides its pieces.
public struct StreamSummary: Sendable, Equatable {
    public var finishReason: String?
    public var usage: Usage?
    public var id: String?
    /// What the server measured itself, where it reports it (llama.cpp `timings`, Ollama's
    /// durations, Groq's `usage`).
    public var serverTimings = Timings()
    /// Anthropic's thinking blocks, signatures intact, to be sent back on the next turn.
    public var thinkingBlocks: [JSONValue] = []
    /// Fields a provider attaches to a tool call, by slot (Gemini's `thought_signature`).
    public var callExtras: [Int: JSONObject] = [:]
    /// The stream's end marker arrived (`[DONE]`, or the provider's equivalent).
    public var ended = false

    public init() {}
}
