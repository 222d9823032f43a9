/// Turns one provider's stream events into deltas and a summary: the only part of
/// streaming a provider writes itself. Framing, the collector, deadlines and keeping the
/// partial reply are the shared driver's (`StreamState`, `HTTPChatProvider`).
public protocol StreamAssembler: Sendable {
    var summary: StreamSummary { get }

    /// One event: an SSE event's type (empty for the default) and data, or one NDJSON
    /// line. A mid-stream error is thrown: it ends the stream.
    mutating func consume(type: String, data: UnsafeBufferPointer<UInt8>, emit: (StreamDelta) -> Void) throws(LLMError)

    /// For data that starts with an event of the default type that is nothing but a piece
    /// of text, written so that the bytes are the text (ASCII, nothing escaped), and whose
    /// `consume` would add nothing to the summary: where the text lies and where the event
    /// ends. Such an event is taken as those bytes and never consumed. `nil` when the
    /// event must be consumed; always `nil` unless a format knows its ordinary events by
    /// their bytes (OpenAI's, by `OpenAIChunkTemplate`).
    func verbatimText(at data: UnsafeBufferPointer<UInt8>) -> (text: Range<Int>, end: Int)?
}

/// How a provider's stream is cut into events.
public enum StreamFraming: Sendable {
    /// Server-Sent Events; `strayLines` also passes on raw JSON lines (Gemini's errors).
    case sse(strayLines: Bool = false)
    /// One JSON object per line (Ollama).
    case ndjson
}

extension StreamAssembler {
    public func verbatimText(at data: UnsafeBufferPointer<UInt8>) -> (text: Range<Int>, end: Int)? { nil }

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
    /// (`max_reply_mb`, as for a whole reply). `joinsPieces`: the collector's.
    init(framing: StreamFraming, assembler: Assembler, replyLimit: Int = HTTPRequest.defaultMaxBodyBytes, joinsPieces: Bool = false) {
        switch framing {
        case .sse(let strayLines):
            sse.keepsStrayLines = strayLines
            isNDJSON = false
        case .ndjson:
            isNDJSON = true
        }
        consumer = StreamConsumer(assembler: assembler, replyLimit: replyLimit, joinsPieces: joinsPieces)
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
            Self.pump(&sse, &consumer) { parser, skim, consume in parser.feedViews(bytes, skim: skim, emit: consume) }
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
            Self.pump(&sse, &consumer) { parser, _, consume in parser.finishViews { sawEvent = true; consume($0) } }
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
                             _ body: (inout SSEParser, (UnsafeBufferPointer<UInt8>) -> Int, (SSEEventView) -> Void) -> Void) {
        body(&parser, { skim($0, &consumer) }, { consumer.handle(type: $0.type, data: $0.data) })
    }

    /// An event that is only `data: `, an ordinary event the assembler knows by its bytes,
    /// and a blank line, taken whole: the parser's `skim`. Anything else is left to it.
    private static func skim(_ rest: UnsafeBufferPointer<UInt8>, _ consumer: inout StreamConsumer<Assembler>) -> Int {
        let field = 6  // "data: "
        guard rest.count > field + 2, UnsafeBufferPointer(rebasing: rest[..<field]).equals("data: ") else { return 0 }
        let data = UnsafeBufferPointer(rebasing: rest[field...])
        let length = consumer.takeVerbatim(data) { end in end + 2 <= data.count && data[end] == 0x0A && data[end + 1] == 0x0A }
        return length.map { field + $0 + 2 } ?? 0
    }

    private static func pump(_ parser: inout NDJSONParser, _ consumer: inout StreamConsumer<Assembler>,
                             _ body: (inout NDJSONParser, (String, UnsafeBufferPointer<UInt8>) -> Void) -> Void) {
        body(&parser) { consumer.handle(type: $0, data: $1) }
    }
}

/// Turns events into deltas, kept until the end of the network read they came in.
struct StreamConsumer<Assembler: StreamAssembler>: Sendable {
    var assembler: Assembler
    var error: LLMError? { didSet { closed = closed || error != nil } }
    /// The reader went away; stop quietly.
    var stopped = false { didSet { closed = closed || stopped } }
    /// An error, the reader gone or the stream's end marker: no event is taken any more.
    /// One flag for what is checked before every event (an `LLMError?` is copied to be
    /// compared with nil).
    private var closed = false
    private var pending: PendingDeltas
    private let replyLimit: Int
    /// More calls than any model makes in one reply: past it, a server is flooding us.
    static var callLimit: Int { 1024 }

    init(assembler: Assembler, replyLimit: Int, joinsPieces: Bool) {
        self.assembler = assembler
        self.replyLimit = replyLimit
        pending = PendingDeltas(joinsPieces: joinsPieces)
    }

    mutating func handle(type: String, data: UnsafeBufferPointer<UInt8>) {
        guard !closed else { return }
        if type.isEmpty, takeVerbatim(data, endsAt: { $0 == data.count }) != nil { return }
        do throws(LLMError) {
            try assembler.consume(type: type, data: data) { pending.add($0) }
        } catch {
            self.error = error
        }
        if assembler.summary.ended { closed = true }
    }

    /// Takes the event at the start of `data` as its text alone, where the assembler knows
    /// it by its bytes (`verbatimText`) and `endsAt` agrees that the event ends there;
    /// returns where it ended.
    mutating func takeVerbatim(_ data: UnsafeBufferPointer<UInt8>, endsAt: (Int) -> Bool) -> Int? {
        guard !closed, let verbatim = assembler.verbatimText(at: data), endsAt(verbatim.end)
        else { return nil }
        pending.addText(UnsafeBufferPointer(rebasing: data[verbatim.text]))
        return verbatim.end
    }

    /// Once per network chunk, not per event: the size check rides on the collector's
    /// own count, so the hot path pays nothing for it.
    mutating func deliver(to collector: StreamCollector) {
        pending.closeText()
        let size = collector.deliver(pending.deltas)
        pending.clear()
        if size.bytes > replyLimit, error == nil {
            error = LLMError(.invalidReply, "the streamed reply passed max_reply_mb (\(replyLimit >> 20) MiB); it is cut there", retryable: false)
        } else if size.calls > Self.callLimit, error == nil {
            error = LLMError(.invalidReply, "the server streamed more than \(Self.callLimit) tool calls in one reply; it is cut there", retryable: false)
        }
        if !size.goOn { stopped = true }
    }
}
