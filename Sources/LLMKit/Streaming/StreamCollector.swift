import Synchronization

/// Builds the assistant message from deltas as they arrive, and passes them on.
///
/// Deltas are passed on in batches: a provider hands over each network chunk's deltas
/// together (`deliver`, or `receive` then `flush()`), so the pieces of one chunk leave in
/// one write. That costs no latency (a chunk goes out as soon as it is parsed) and saves a
/// system call per token.
///
/// Thread-safe, because deltas arrive on the transfer thread while a signal handler may
/// need the partial reply at any moment: whatever was received is never lost.
///
/// Every streamed piece of every provider passes here, so this is where pieces are held
/// back while they could be the start of a key (`DeltaScrubber`); the message itself is
/// kept as received, and masked whole when it is written.
public final class StreamCollector: Sendable {
    private struct State {
        /// UTF-8, joined once when the message is built: appending bytes is cheaper than
        /// growing a String thousands of times.
        var content: [UInt8] = []
        var reasoning: [UInt8] = []
        var calls: [(id: String?, name: String?, arguments: String)] = []
        var argumentBytes = 0
        var firstDelta: ContinuousClock.Instant?
        var pending: [StreamDelta] = []
        var forwardingStopped = false
        var scrubber = DeltaScrubber.forRegisteredKeys()

        var size: (bytes: Int, calls: Int) { (content.count + reasoning.count + argumentBytes, calls.count) }
    }

    private let state = Mutex(State())
    private let start: ContinuousClock.Instant
    private let forward: @Sendable ([StreamDelta]) -> Bool
    /// Whoever reads wants the text, not how it was cut (`llm-stream -t`): the pieces of
    /// text that arrive in one network read may be passed on as one (`PendingDeltas`).
    public let joinsPieces: Bool

    /// `forward` returns `false` when nobody reads any more (stdout closed).
    public init(start: ContinuousClock.Instant = .now, joinsPieces: Bool = false, forward: @escaping @Sendable ([StreamDelta]) -> Bool) {
        self.start = start
        self.joinsPieces = joinsPieces
        self.forward = forward
    }

    /// Passes on what arrived since the last flush; `false` means stop the stream. The
    /// pieces are written outside the lock: a reader that stops reading blocks the write,
    /// and must not block whoever needs the reply so far (a signal handler).
    @discardableResult
    public func flush() -> Bool {
        deliver([]).goOn
    }

    /// Passes on whatever was held back as a possible start of a key: the stream is over.
    public func finishForwarding() {
        flush()
        forwardOutsideTheLock(state.withLock { s in s.forwardingStopped ? nil : s.scrubber?.drain() })
    }

    @discardableResult
    private func forwardOutsideTheLock(_ deltas: [StreamDelta]?) -> Bool {
        if let deltas, !deltas.isEmpty, !forward(deltas) {
            state.withLock { $0.forwardingStopped = true }
        }
        return state.withLock { !$0.forwardingStopped }
    }

    /// Records a delta, to be passed on at the next `flush()`.
    public func receive(_ delta: StreamDelta) {
        receive(CollectionOfOne(delta))
    }

    /// Records deltas under one lock; returns the size of the reply so far (bytes of text,
    /// reasoning and arguments, and calls), for a stream to hold to its limit.
    @discardableResult
    public func receive(_ deltas: some Collection<StreamDelta>) -> (bytes: Int, calls: Int) {
        state.withLock { s in
            Self.record(deltas, in: &s)
            s.pending.append(contentsOf: deltas)
            return s.size
        }
    }

    /// Records a network chunk's deltas and passes them on, as `receive` then `flush` would,
    /// under one lock and without copying them into the pending list: a stream does this
    /// for every chunk (make bench: stream). `goOn` is `flush()`'s answer.
    public func deliver(_ deltas: [StreamDelta]) -> (bytes: Int, calls: Int, goOn: Bool) {
        let (size, out): ((bytes: Int, calls: Int), [StreamDelta]?) = state.withLock { s in
            Self.record(deltas, in: &s)
            guard !s.forwardingStopped else {
                s.pending.removeAll(keepingCapacity: true)
                return (s.size, nil)
            }
            var out = deltas
            if !s.pending.isEmpty {
                out = s.pending + deltas
                s.pending.removeAll(keepingCapacity: true)
            }
            return (s.size, s.scrubber == nil ? out : s.scrubber!.scrub(out))
        }
        return (size.bytes, size.calls, forwardOutsideTheLock(out))
    }

    private static func record(_ deltas: some Collection<StreamDelta>, in s: inout State) {
        if s.firstDelta == nil, !deltas.isEmpty { s.firstDelta = .now }
        for delta in deltas {
            switch delta {
            case .content(let text): s.content.appendUTF8(of: text)
            case .reasoning(let text): s.reasoning.appendUTF8(of: text)
            case .toolCall(let index, let id, let name, let arguments):
                while s.calls.count <= index { s.calls.append((nil, nil, "")) }
                if s.calls[index].id == nil { s.calls[index].id = id }
                if s.calls[index].name == nil { s.calls[index].name = name }
                s.calls[index].arguments += arguments
                s.argumentBytes += arguments.utf8.count
            }
        }
    }

    public var receivedAnything: Bool { state.withLock { $0.firstDelta != nil } }

    /// Takes in the keys registered since this collector was made: a model's key is read
    /// only when the model is tried, which may be after the collector exists (a fallback).
    /// Only while nothing is held back or received, so no piece is dropped.
    public func learnKeys() {
        state.withLock { s in
            guard s.firstDelta == nil, s.pending.isEmpty else { return }
            s.scrubber = DeltaScrubber.forRegisteredKeys()
        }
    }

    /// Forgets the reply so far, for `--retry-partial`: the next attempt starts it over.
    /// What was passed on stays passed on; what was held back as a possible key is dropped.
    public func restart() {
        state.withLock { s in
            let stopped = s.forwardingStopped
            s = State()
            s.forwardingStopped = stopped
        }
    }

    /// The message so far: complete when the stream ended, partial otherwise.
    public func message(summary: StreamSummary, finishReason override: String? = nil) -> ChatMessage {
        state.withLock { s in
            var message = ChatMessage(role: "assistant")
            message.content = s.content.isEmpty && !s.calls.isEmpty ? nil : .string(String(decoding: s.content, as: UTF8.self))
            message.reasoning = s.reasoning.isEmpty ? nil : String(decoding: s.reasoning, as: UTF8.self)
            message.toolCalls = s.calls.enumerated().compactMap { i, call in
                guard let name = call.name else { return nil }
                // An empty argument string means no arguments.
                var made = ToolCall(id: call.id ?? "call_\(i)", name: name, arguments: call.arguments.isEmpty ? "{}" : call.arguments)
                made.extra = summary.callExtras[i] ?? JSONObject()
                return made
            }
            message.thinkingBlocks = summary.thinkingBlocks
            message.finishReason = override ?? summary.finishReason ?? (message.toolCalls.isEmpty ? "stop" : "tool_calls")
            message.usage = summary.usage
            message.id = summary.id
            let now = ContinuousClock.now
            let total = (now - start) / .milliseconds(1)
            let ttft = s.firstDelta.map { ($0 - start) / .milliseconds(1) }
            var rate: Double?
            if let tokens = summary.usage?.outputTokens, let ttft, total > ttft {
                rate = Double(tokens) / ((total - ttft) / 1000)
            }
            message.timings = summary.serverTimings.measuring(totalMs: total, ttftMs: ttft, fallbackRate: rate)
            return message
        }
    }
}
