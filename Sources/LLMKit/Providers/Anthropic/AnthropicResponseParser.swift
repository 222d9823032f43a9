/// Reads a Messages API reply into llmkit's assistant message.
public enum AnthropicResponseParser {
    public static func message(from body: JSONValue, provider: String) throws(LLMError) -> ChatMessage {
        guard let object = body.objectValue else {
            throw LLMError(.invalidReply, "\(provider) returned JSON that is not an object", provider: provider)
        }
        if object["type"]?.stringValue == "error" || object["content"] == nil {
            let detail = HTTPErrorMapper.errorDetail(body)?.message ?? "no content"
            throw LLMError(.invalidReply, "\(provider) returned no message: \(HTTPErrorMapper.oneLine(detail))", provider: provider)
        }
        var message = ChatMessage(role: "assistant")
        var text = "", reasoning = ""
        for block in object["content"]?.arrayValue ?? [] {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "thinking":
                reasoning += block["thinking"]?.stringValue ?? ""
                message.thinkingBlocks.append(block)
            case "redacted_thinking": message.thinkingBlocks.append(block)
            case "tool_use":
                guard let name = block["name"]?.stringValue else { continue }
                let id = block["id"]?.stringValue ?? "call_\(message.toolCalls.count)"
                message.toolCalls.append(ToolCall(id: id, name: name, arguments: (block["input"] ?? [:]).serialized))
            default: continue
            }
        }
        message.content = text.isEmpty && !message.toolCalls.isEmpty ? nil : .string(text)
        message.reasoning = reasoning.isEmpty ? nil : reasoning
        message.finishReason = finishReason(object["stop_reason"]?.stringValue, hasToolCalls: !message.toolCalls.isEmpty)
        message.usage = usage(from: object["usage"])
        message.id = object["id"]?.stringValue
        return message
    }

    /// Anthropic's stop reasons in OpenAI's words (providers.md §10.1).
    static func finishReason(_ raw: String?, hasToolCalls: Bool) -> String? {
        switch raw {
        case nil: return nil
        case "end_turn", "stop_sequence", "pause_turn": return hasToolCalls ? "tool_calls" : "stop"
        case "max_tokens", "model_context_window_exceeded": return "length"
        case "tool_use": return "tool_calls"
        case "refusal": return "content_filter"
        case let other?: return other
        }
    }

    /// DESIGN §2: Anthropic's `input_tokens` leaves out cached tokens, so they are added.
    public static func usage(from value: JSONValue?) -> Usage? {
        guard let o = value?.objectValue else { return nil }
        var usage = Usage()
        usage.cacheReadTokens = o["cache_read_input_tokens"]?.intValue
        usage.cacheWriteTokens = o["cache_creation_input_tokens"]?.intValue
        if let oneHour = o["cache_creation"]?["ephemeral_1h_input_tokens"]?.intValue, oneHour > 0 { usage.cacheWriteOneHourTokens = oneHour }
        usage.inputTokens = o["input_tokens"]?.intValue.map { Usage.sum($0, usage.cacheReadTokens, usage.cacheWriteTokens) }
        usage.outputTokens = o["output_tokens"]?.intValue
        usage.reasoningTokens = o["output_tokens_details"]?["thinking_tokens"]?.intValue
        return usage.isEmpty ? nil : usage
    }
}
