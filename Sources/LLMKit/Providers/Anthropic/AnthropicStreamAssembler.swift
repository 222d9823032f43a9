/// Turns the Messages API's named events into deltas.
///
/// Blocks are kept apart by their `index`: text, thinking and each tool's argument JSON
/// never mix. Thinking blocks are rebuilt whole, signature included, for the next turn.
/// `message_delta` usage is cumulative: the last value wins, over `message_start`'s.
public struct AnthropicStreamAssembler: JSONEventAssembler {
    public private(set) var summary = StreamSummary()
    let provider: String
    /// Content block index → tool call slot.
    private var slots: [Int: Int] = [:]
    /// The last tool call's id and slot: LiteLLM's proxy streams one call as several
    /// `tool_use` blocks with the same id, which are one call.
    private var lastCall: (id: String, slot: Int)?
    private var callCount = 0
    /// Content block index → a thinking block being built, appended to in place.
    private var thinking: [Int: (text: String, signature: String)] = [:]
    /// Signatures are a few kilobytes; one that keeps growing is not a signature.
    static let signatureLimit = 1 << 20
    private var usage = JSONObject()

    public init(provider: String) { self.provider = provider }

    mutating func absorb(_ value: JSONValue, type: String, emit: (StreamDelta) -> Void) throws(LLMError) {
        let index = value["index"]?.intValue ?? 0
        switch value["type"]?.stringValue ?? type {
        case "message_start":
            summary.id = value["message"]?["id"]?.stringValue
            absorbUsage(value["message"]?["usage"])
        case "content_block_start":
            let block = value["content_block"]?.objectValue ?? JSONObject()
            switch block["type"]?.stringValue {
            case "tool_use":
                let id = block["id"]?.stringValue
                if let id, let last = lastCall, last.id == id {
                    slots[index] = last.slot
                } else {
                    let slot = callCount
                    callCount += 1
                    slots[index] = slot
                    lastCall = id.map { ($0, slot) }
                    emit(.toolCall(index: slot, id: id, name: block["name"]?.stringValue, arguments: ""))
                }
            case "thinking":
                thinking[index] = ("", "")
                if let text = block["thinking"]?.stringValue, !text.isEmpty { emit(.reasoning(text)); thinking[index]?.text += text }
            case "redacted_thinking":
                summary.thinkingBlocks.append(.object(block))
            case "text":
                if let text = block["text"]?.stringValue, !text.isEmpty { emit(.content(text)) }
            default: break
            }
        case "content_block_delta":
            let delta = value["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                if let text = delta?["text"]?.stringValue, !text.isEmpty { emit(.content(text)) }
            case "thinking_delta":
                if let text = delta?["thinking"]?.stringValue, !text.isEmpty { emit(.reasoning(text)); thinking[index]?.text += text }
            case "signature_delta":
                thinking[index]?.signature += delta?["signature"]?.stringValue ?? ""
                if thinking[index]?.signature.utf8.count ?? 0 > Self.signatureLimit {
                    throw LLMError(.invalidReply, "\(provider) sent a thinking signature over \(Self.signatureLimit >> 20) MiB; the reply is cut there",
                                   provider: provider, retryable: false)
                }
            case "input_json_delta":
                if let slot = slots[index], let piece = delta?["partial_json"]?.stringValue, !piece.isEmpty {
                    emit(.toolCall(index: slot, id: nil, name: nil, arguments: piece))
                }
            default: break
            }
        case "content_block_stop":
            if let block = thinking.removeValue(forKey: index) {
                summary.thinkingBlocks.append(["type": "thinking", "thinking": .string(block.text), "signature": .string(block.signature)])
            }
        case "message_delta":
            if let reason = value["delta"]?["stop_reason"]?.stringValue {
                summary.finishReason = AnthropicResponseParser.finishReason(reason, hasToolCalls: callCount > 0)
            }
            absorbUsage(value["usage"])
        case "message_stop":
            summary.ended = true
        case "error":
            throw Self.failure(value, provider: provider)
        default:
            break  // `ping`, and event types newer than this code
        }
    }

    private mutating func absorbUsage(_ value: JSONValue?) {
        guard let fields = value?.objectValue else { return }
        for (key, count) in fields.entries where count != .null { usage[key] = count }
        summary.usage = AnthropicResponseParser.usage(from: .object(usage))
    }

    /// An `error` event: the stream is over, and the reply incomplete.
    static func failure(_ value: JSONValue, provider: String) -> LLMError {
        let type = value["error"]?["type"]?.stringValue ?? ""
        let said = HTTPErrorMapper.oneLine(value["error"]?["message"]?.stringValue ?? value.serialized)
        let kind: LLMError.Kind = switch type {
        case "overloaded_error": .overloaded
        case "rate_limit_error": .rateLimited
        case "invalid_request_error": .badRequest
        default: .serverError
        }
        return LLMError(kind, "\(provider) failed mid-stream (\(type.isEmpty ? "error" : type)): \(said)", provider: provider,
                        retryable: kind == .overloaded || kind == .rateLimited || kind == .serverError)
    }
}
