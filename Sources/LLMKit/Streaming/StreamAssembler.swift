/// Turns one provider's stream events into deltas and a summary: the only part of
/// streaming a provider writes itself. Framing, the collector, deadlines and keeping the
/// partial reply are the shared driver's (`StreamState`, `HTTPChatProvider`).
public protocol StreamAssembler: Sendable {
    var summary: StreamSummary { get }

    /// One event: an SSE event's type (empty for the default) and data, or one NDJSON
    /// line. A mid-stream error is thrown: it ends the stream.
    mutating func consume(type: String, data: UnsafeBufferPointer<UInt8>, emit: (StreamDelta) -> Void) throws(LLMError)
}

/// How a provider's stream is cut into events.
public enum StreamFraming: Sendable {
    /// Server-Sent Events; `strayLines` also passes on raw JSON lines (Gemini's errors).
    case sse(strayLines: Bool = false)
    /// One JSON object per line (Ollama).
    case ndjson
}

extension StreamAssembler {
    /// Feeds a whole SSE event (tests and callers that hold strings).
    public mutating func consume(_ event: SSEEvent) throws(LLMError) -> [StreamDelta] {
        var deltas: [StreamDelta] = []
        var failure: LLMError?
        Array(event.data.utf8).withUnsafeBufferPointer { bytes in
            do throws(LLMError) {
                try consume(type: event.type == "message" ? "" : event.type, data: bytes) { deltas.append($0) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return deltas
    }
}

/// The parse state of one stream, touched only under its lock.
struct StreamState<Assembler: StreamAssembler>: Sendable {
    // Both parsers are plain fields, not an enum's payloads: a payload taken out to be fed
    // would be a second reference, and every feed would copy the parser's buffers.
    private var sse = SSEParser()
    private var ndjson = NDJSONParser()
    private let isNDJSON: Bool
    var consumer: StreamConsumer<Assembler>

    /// `replyLimit`: the most bytes of text, reasoning and arguments the reply may carry
    /// (`max_reply_mb`, as for a whole reply).
    init(framing: StreamFraming, assembler: Assembler, replyLimit: Int = HTTPRequest.defaultMaxBodyBytes) {
        switch framing {
        case .sse(let strayLines):
            sse.keepsStrayLines = strayLines
            isNDJSON = false
        case .ndjson:
            isNDJSON = true
        }
        consumer = StreamConsumer(assembler: assembler, replyLimit: replyLimit)
    }

    var summary: StreamSummary { consumer.assembler.summary }
    var error: LLMError? { consumer.error }
    var stopped: Bool { consumer.stopped }

    /// Returns whether the transfer should go on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ collector: StreamCollector) -> Bool {
        let overflowLimit: Int?
        if isNDJSON {
            Self.pump(&ndjson, &consumer) { parser, consume in parser.feed(bytes) { line in line.withUnsafeBufferPointer { consume("", $0) } } }
            overflowLimit = ndjson.overflowed ? ndjson.limit : nil
        } else {
            Self.pump(&sse, &consumer) { parser, consume in parser.feedViews(bytes, emit: consume) }
            overflowLimit = sse.overflowed ? sse.limit : nil
        }
        if let overflowLimit, consumer.error == nil {
            consumer.error = LLMError(.invalidReply, "the server sent a stream event larger than \(overflowLimit >> 20) MiB; the reply is cut there",
                                      retryable: false)
        }
        consumer.deliver(to: collector)
        return consumer.error == nil && !consumer.stopped
    }

    /// The connection closed: an event the server did not finish means it was cut off.
    mutating func finish(_ collector: StreamCollector) {
        var sawEvent = false
        if isNDJSON {
            Self.pump(&ndjson, &consumer) { parser, consume in parser.finish { line in sawEvent = true; line.withUnsafeBufferPointer { consume("", $0) } } }
        } else {
            Self.pump(&sse, &consumer) { parser, consume in parser.finishViews { sawEvent = true; consume($0) } }
        }
        consumer.deliver(to: collector)
        if consumer.error?.kind == .invalidReply, sawEvent {
            consumer.error = LLMError(.streamInterrupted, "the stream ended in the middle of an event; the reply is incomplete", retryable: false)
        }
    }

    /// Runs a parser with the consumer as its sink: two parts of one state, used at once.
    /// The SSE sink takes the parser's own view, so no closure stands between them: this
    /// runs once per event, tens of thousands of times a reply.
    private static func pump(_ parser: inout SSEParser, _ consumer: inout StreamConsumer<Assembler>,
                             _ body: (inout SSEParser, (SSEEventView) -> Void) -> Void) {
        body(&parser) { consumer.handle(type: $0.type, data: $0.data) }
    }

    private static func pump(_ parser: inout NDJSONParser, _ consumer: inout StreamConsumer<Assembler>,
                             _ body: (inout NDJSONParser, (String, UnsafeBufferPointer<UInt8>) -> Void) -> Void) {
        body(&parser) { consumer.handle(type: $0, data: $1) }
    }
}

/// Turns events into deltas, kept until the end of the network chunk they came in.
struct StreamConsumer<Assembler: StreamAssembler>: Sendable {
    var assembler: Assembler
    var error: LLMError?
    /// The reader went away; stop quietly.
    var stopped = false
    private var pending: [StreamDelta] = []
    private let replyLimit: Int
    /// More calls than any model makes in one reply: past it, a server is flooding us.
    static var callLimit: Int { 1024 }

    init(assembler: Assembler, replyLimit: Int) {
        self.assembler = assembler
        self.replyLimit = replyLimit
    }

    mutating func handle(type: String, data: UnsafeBufferPointer<UInt8>) {
        guard error == nil, !stopped, !assembler.summary.ended else { return }
        do throws(LLMError) {
            try assembler.consume(type: type, data: data) { pending.append($0) }
        } catch {
            self.error = error
        }
    }

    /// Once per network chunk, not per event: the size check rides on the collector's
    /// own count, so the hot path pays nothing for it.
    mutating func deliver(to collector: StreamCollector) {
        let size = collector.deliver(pending)
        pending.removeAll(keepingCapacity: true)
        if size.bytes > replyLimit, error == nil {
            error = LLMError(.invalidReply, "the streamed reply passed max_reply_mb (\(replyLimit >> 20) MiB); it is cut there", retryable: false)
        } else if size.calls > Self.callLimit, error == nil {
            error = LLMError(.invalidReply, "the server streamed more than \(Self.callLimit) tool calls in one reply; it is cut there", retryable: false)
        }
        if !size.goOn { stopped = true }
    }
}
