/// Reads `/api/chat` replies: NDJSON lines when streamed, one object otherwise.
///
/// Tool calls arrive whole with object arguments. The last line (`done: true`) carries
/// `done_reason` and the server's own measurements, in nanoseconds. Counts Ollama leaves
/// out are zeros it did not write (`omitempty`), so on that line they are 0.
public struct OllamaChatAssembler: JSONEventAssembler {
    public private(set) var summary = StreamSummary()
    let provider: String
    private let turn: Int
    private var calls = 0

    public init(provider: String, turn: Int) {
        self.provider = provider
        self.turn = turn
    }

    mutating func absorb(_ value: JSONValue, type: String, emit: (StreamDelta) -> Void) throws(LLMError) {
        if let error = value["error"] {
            let said = HTTPErrorMapper.oneLine(error.stringValue ?? error.serialized)
            throw LLMError(.serverError, "\(provider) failed mid-stream: \(said)", provider: provider, retryable: true)
        }
        let message = value["message"]
        if let thinking = message?["thinking"]?.stringValue, !thinking.isEmpty { emit(.reasoning(thinking)) }
        if let text = message?["content"]?.stringValue, !text.isEmpty { emit(.content(text)) }
        for call in message?["tool_calls"]?.arrayValue ?? [] {
            let function = call["function"]
            guard let name = function?["name"]?.stringValue, !name.isEmpty else {
                throw LLMError(.invalidReply, "\(provider) sent a tool call with no function name", provider: provider, retryable: false)
            }
            let arguments: String = switch function?["arguments"] {
            case .string(let s)?: s
            case let other?: other.serialized
            case nil: "{}"
            }
            let id = call["id"]?.stringValue ?? CallID.synthesized(turn: turn, index: calls, name: name, arguments: arguments)
            emit(.toolCall(index: calls, id: id, name: name, arguments: arguments))
            calls += 1
        }
        guard value["done"] == true else { return }
        summary.ended = true
        let reason = value["done_reason"]?.stringValue ?? "stop"
        summary.finishReason = reason == "length" ? "length" : calls > 0 ? "tool_calls" : "stop"
        let prompt = value["prompt_eval_count"]?.intValue ?? 0
        let generated = value["eval_count"]?.intValue ?? 0
        summary.usage = Usage(inputTokens: prompt, outputTokens: generated)
        func rate(_ tokens: Int, _ key: String) -> Double? {
            guard let ns = value[key]?.doubleValue, ns > 0, tokens > 0 else { return nil }
            let rate = Double(tokens) / ns * 1e9
            return rate.isFinite ? rate : nil
        }
        summary.serverTimings = Timings(tokensPerSecond: rate(generated, "eval_duration"), promptTokensPerSecond: rate(prompt, "prompt_eval_duration"),
                                        loadMs: value["load_duration"]?.doubleValue.map { $0 / 1e6 })
    }
}
