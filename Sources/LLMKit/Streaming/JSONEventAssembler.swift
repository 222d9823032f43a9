/// An assembler whose events are each one JSON object (Anthropic's events, Gemini's
/// chunks, Ollama's lines): the parse is shared, and a format whose whole reply has the
/// same shape as a chunk (Gemini, Ollama) reads it through the same code.
protocol JSONEventAssembler: StreamAssembler {
    var provider: String { get }
    /// One parsed event; `type` is the SSE event name, empty for none.
    mutating func absorb(_ value: JSONValue, type: String, emit: (StreamDelta) -> Void) throws(LLMError)
}

extension JSONEventAssembler {
    public mutating func consume(type: String, data: UnsafeBufferPointer<UInt8>, emit: (StreamDelta) -> Void) throws(LLMError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(data)
        } catch {
            throw LLMError(.invalidReply, "\(provider) sent an event that is not JSON (\(error))", provider: provider)
        }
        try absorb(value, type: type, emit: emit)
    }

    /// A whole (non-streamed) reply that is one chunk with everything in it.
    mutating func message(from body: JSONValue) throws(LLMError) -> ChatMessage {
        var deltas: [StreamDelta] = []
        try absorb(body, type: "", emit: { deltas.append($0) })
        let collector = StreamCollector { _ in true }
        collector.receive(deltas)
        var message = collector.message(summary: summary)
        message.timings = summary.serverTimings
        return message
    }
}
