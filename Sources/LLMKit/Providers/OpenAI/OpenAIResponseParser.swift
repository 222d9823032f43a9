/// Reads a non-streamed Chat Completions response into llmkit's assistant message.
public enum OpenAIResponseParser {
    public static func message(from body: JSONValue, provider: String) throws(LLMError) -> ChatMessage {
        guard let object = body.objectValue else {
            throw LLMError(.invalidReply, "\(provider) returned JSON that is not an object", provider: provider)
        }
        if let detail = HTTPErrorMapper.errorDetail(body), object["choices"] == nil {
            throw LLMError(.serverError, "\(provider) returned an error: \(detail.message)", provider: provider, retryable: false)
        }
        guard let choice = object["choices"]?.arrayValue?.first?.objectValue,
              let wire = choice["message"]?.objectValue
        else {
            throw LLMError(.invalidReply, "\(provider) returned no choices", provider: provider)
        }
        var message = ChatMessage(role: "assistant")
        switch wire["content"] {
        case .string(let s)?: message.content = .string(s)
        case .array(let parts)?: message.content = .array(parts)
        case .null?, nil: message.content = nil
        case let other?:
            throw LLMError(.invalidReply, "\(provider) returned a reply whose content is \(other.serialized.prefix(40)), not text", provider: provider)
        }
        for (i, item) in (wire["tool_calls"]?.arrayValue ?? []).enumerated() {
            if let call = ToolCall(json: item, fallbackID: "call_\(i)") { message.toolCalls.append(call) }
        }
        message.reasoning = nonEmpty(wire["reasoning_content"]?.stringValue) ?? nonEmpty(wire["reasoning"]?.stringValue)
        if let refusal = wire["refusal"]?.stringValue { message.extra["refusal"] = .string(refusal) }
        message.finishReason = finishReason(choice["finish_reason"]?.stringValue, hasToolCalls: !message.toolCalls.isEmpty)
        message.usage = usage(from: object["usage"])
        message.id = object["id"]?.stringValue
        return message
    }

    /// OpenAI vocabulary already; some servers say `stop` after tool calls, or `eos`.
    static func finishReason(_ raw: String?, hasToolCalls: Bool) -> String? {
        guard let raw else { return hasToolCalls ? "tool_calls" : nil }
        switch raw {
        case "stop", "eos", "end_turn": return hasToolCalls ? "tool_calls" : "stop"
        case "function_call": return "tool_calls"
        case "max_tokens", "model_length": return "length"
        default: return raw
        }
    }

    /// DESIGN §2 normalization: `input_tokens` includes cached, `output_tokens` includes
    /// reasoning; what the server did not report stays absent.
    public static func usage(from value: JSONValue?) -> Usage? {
        guard let object = value?.objectValue else { return nil }
        var usage = Usage()
        usage.inputTokens = object["prompt_tokens"]?.intValue
        usage.outputTokens = object["completion_tokens"]?.intValue
        let prompt = object["prompt_tokens_details"]?.objectValue
        usage.cacheReadTokens = prompt?["cached_tokens"]?.intValue ?? object["prompt_cache_hit_tokens"]?.intValue
        usage.cacheWriteTokens = prompt?["cache_write_tokens"]?.intValue ?? prompt?["cache_creation_tokens"]?.intValue
        usage.reasoningTokens = object["completion_tokens_details"]?["reasoning_tokens"]?.intValue
        return usage.isEmpty ? nil : usage
    }

    /// The server's own clock, where it reports one: llama.cpp's `timings`, or Groq's
    /// `usage` times in seconds (`x_groq.usage` in streams).
    public static func serverTimings(_ body: JSONValue) -> Timings? {
        if let llama = body["timings"]?.objectValue {
            return Timings(tokensPerSecond: llama["predicted_per_second"]?.doubleValue,
                           promptTokensPerSecond: llama["prompt_per_second"]?.doubleValue)
        }
        guard let usage = body["usage"]?.objectValue ?? body["x_groq"]?["usage"]?.objectValue,
              let seconds = usage["completion_time"]?.doubleValue, seconds > 0,
              let tokens = usage["completion_tokens"]?.doubleValue else { return nil }
        let promptRate = usage["prompt_time"]?.doubleValue.flatMap { time in
            usage["prompt_tokens"]?.doubleValue.map { time > 0 ? $0 / time : 0 }
        }
        return Timings(tokensPerSecond: tokens / seconds, promptTokensPerSecond: promptRate.flatMap { $0 > 0 ? $0 : nil })
    }

    private static func nonEmpty(_ s: String?) -> String? {
        guard let s, !s.isEmpty else { return nil }
        return s
    }
}
