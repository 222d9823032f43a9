/// Reads `GenerateContentResponse` objects, streamed (each chunk's parts are new content)
/// or whole.
///
/// A function call arrives whole in one part; Gemini may give it no id, so one is made
/// from its place in the conversation, the same every time. Its `thoughtSignature` is kept
/// on the call for the next turn. Usage is whatever the last chunk that had it said.
public struct GeminiStreamAssembler: JSONEventAssembler {
    public private(set) var summary = StreamSummary()
    let provider: String
    /// Assistant turns before this reply: part of each synthesized call id.
    private let turn: Int
    private var calls = 0

    public init(provider: String, turn: Int) {
        self.provider = provider
        self.turn = turn
    }

    mutating func absorb(_ value: JSONValue, type: String, emit: (StreamDelta) -> Void) throws(LLMError) {
        if let error = value["error"] {
            let status = error["status"]?.stringValue ?? "error"
            let said = HTTPErrorMapper.oneLine(error["message"]?.stringValue ?? error.serialized)
            let kind: LLMError.Kind = status == "UNAVAILABLE" ? .overloaded : status == "RESOURCE_EXHAUSTED" ? .rateLimited : .serverError
            throw LLMError(kind, "\(provider) failed mid-stream (\(status)): \(said)", provider: provider, retryable: true)
        }
        if let id = value["responseId"]?.stringValue { summary.id = id }
        if let usage = Self.usage(from: value["usageMetadata"]) { summary.usage = usage }
        guard let candidate = value["candidates"]?.arrayValue?.first else {
            // The whole prompt was blocked: no candidate at all.
            if value["promptFeedback"]?["blockReason"] != nil { summary.finishReason = "content_filter" }
            return
        }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if let call = part["functionCall"] {
                guard let name = call["name"]?.stringValue, !name.isEmpty else {
                    throw LLMError(.invalidReply, "\(provider) sent a function call with no name", provider: provider, retryable: false)
                }
                let arguments = (call["args"] ?? [:]).serialized
                let id = call["id"]?.stringValue ?? CallID.synthesized(turn: turn, index: calls, name: name, arguments: arguments)
                if let signature = part["thoughtSignature"] { summary.callExtras[calls] = ["thought_signature": signature] }
                emit(.toolCall(index: calls, id: id, name: name, arguments: arguments))
                calls += 1
            } else if let text = part["text"]?.stringValue, !text.isEmpty {
                emit(part["thought"] == true ? .reasoning(text) : .content(text))
            }
        }
        if let reason = candidate["finishReason"]?.stringValue {
            summary.finishReason = Self.finishReason(reason, hasToolCalls: calls > 0)
        }
    }

    /// Gemini's finish reasons in OpenAI's words (providers.md §10.1). A call still ends
    /// with `STOP`: the parts say it was a call.
    static func finishReason(_ raw: String, hasToolCalls: Bool) -> String {
        switch raw {
        case "STOP": return hasToolCalls ? "tool_calls" : "stop"
        case "MAX_TOKENS": return "length"
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE": return "content_filter"
        case let other where other.hasPrefix("IMAGE_"): return "content_filter"
        default: return hasToolCalls ? "tool_calls" : "stop"
        }
    }

    /// DESIGN §2: Gemini counts thought tokens apart from the candidates; they are added.
    public static func usage(from value: JSONValue?) -> Usage? {
        guard let o = value?.objectValue else { return nil }
        var usage = Usage()
        usage.inputTokens = o["promptTokenCount"]?.intValue.map { Usage.sum($0, o["toolUsePromptTokenCount"]?.intValue) }
        usage.cacheReadTokens = o["cachedContentTokenCount"]?.intValue
        usage.reasoningTokens = o["thoughtsTokenCount"]?.intValue
        if let candidates = o["candidatesTokenCount"]?.intValue {
            usage.outputTokens = Usage.sum(candidates, usage.reasoningTokens)
        } else if let thoughts = usage.reasoningTokens {
            usage.outputTokens = thoughts
        }
        return usage.isEmpty ? nil : usage
    }
}
