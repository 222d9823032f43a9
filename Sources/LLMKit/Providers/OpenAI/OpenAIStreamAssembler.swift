#if canImport(Glibc)
import Glibc
#endif

/// Turns OpenAI-style `chat.completion.chunk` events into deltas and a summary.
///
/// Tool-call fragments are keyed by their `index` (or their position when a server omits
/// it); a fragment whose non-empty `id` differs from the one already at that index starts
/// a new call, because some Ollama builds number every call of a parallel batch 0.
public struct OpenAIStreamAssembler: StreamAssembler {
    public private(set) var summary = StreamSummary()
    private var slots: [Int: (slot: Int, id: String?)] = [:]
    private var template: OpenAIChunkTemplate?
    private var slotCount = 0
    private let provider: String

    public init(provider: String) { self.provider = provider }

    public func verbatimText(at data: UnsafeBufferPointer<UInt8>) -> (text: Range<Int>, end: Int)? {
        template?.verbatimText(at: data)
    }

    /// One SSE event's deltas go to `emit`; a mid-stream error is thrown.
    public mutating func consume(type: String, data: UnsafeBufferPointer<UInt8>, emit: (StreamDelta) -> Void) throws(LLMError) {
        if data.count >= 6, memcmp(data.baseAddress!, "[DONE]", 6) == 0 {
            summary.ended = true
            return
        }
        if type.isEmpty, let text = template?.content(of: data) {
            if !text.isEmpty { emit(.content(text)) }
            return
        }
        if type.isEmpty, let fast = OpenAIChunkScan.scan(data) {
            if let learned = OpenAIChunkTemplate(data, scan: fast) { template = learned }
            if let id = fast.id { summary.id = id }
            if let text = fast.reasoning, !text.isEmpty { emit(.reasoning(text)) }
            if let text = fast.content, !text.isEmpty { emit(.content(text)) }
            if let reason = fast.finishReason {
                summary.finishReason = OpenAIResponseParser.finishReason(reason, hasToolCalls: slotCount > 0)
            }
            return
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            if type == "error" { throw LLMError(.serverError, "\(provider) failed mid-stream: \(String(decoding: data, as: UTF8.self))", provider: provider) }
            throw LLMError(.invalidReply, "\(provider) sent an event that is not JSON (\(error))", provider: provider)
        }
        if type == "error" || (value["error"] != nil && value["choices"] == nil) {
            let detail = HTTPErrorMapper.errorDetail(value)?.message ?? String(decoding: data, as: UTF8.self)
            throw LLMError(.serverError, "\(provider) failed mid-stream: \(HTTPErrorMapper.oneLine(detail))", provider: provider, retryable: false)
        }
        if let id = value["id"]?.stringValue { summary.id = id }
        if let usage = OpenAIResponseParser.usage(from: value["usage"] ?? value["x_groq"]?["usage"]) { summary.usage = usage }
        if let timings = OpenAIResponseParser.serverTimings(value) { summary.serverTimings = timings }
        for choice in value["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if let delta = choice["delta"]?.objectValue {
                if let text = delta["reasoning_content"]?.stringValue ?? delta["reasoning"]?.stringValue, !text.isEmpty {
                    emit(.reasoning(text))
                }
                if let text = delta["content"]?.stringValue, !text.isEmpty {
                    emit(.content(text))
                }
                for (position, fragment) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
                    emit(toolCall(fragment, position: position))
                }
            }
            if let reason = choice["finish_reason"]?.stringValue {
                summary.finishReason = OpenAIResponseParser.finishReason(reason, hasToolCalls: slotCount > 0)
            }
        }
    }

    private mutating func toolCall(_ fragment: JSONValue, position: Int) -> StreamDelta {
        let index = fragment["index"]?.intValue ?? position
        let id = fragment["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let function = fragment["function"]
        let name = function?["name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let arguments: String
        switch function?["arguments"] {
        case .string(let s)?: arguments = s
        case nil, .null?: arguments = ""
        case let other?: arguments = other.serialized
        }
        if let existing = slots[index], id == nil || existing.id == nil || existing.id == id {
            if existing.id == nil, let id { slots[index] = (existing.slot, id) }
            return .toolCall(index: existing.slot, id: id, name: name, arguments: arguments)
        }
        let slot = slotCount
        slotCount += 1
        slots[index] = (slot, id)
        return .toolCall(index: slot, id: id, name: name, arguments: arguments)
    }
}
