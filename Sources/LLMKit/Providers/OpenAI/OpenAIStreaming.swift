import Synchronization

extension OpenAICompatibleProvider {
    /// Streams Chat Completions over SSE. Pieces go out the moment their event is parsed,
    /// on the transfer thread; the reply received so far survives every way a stream can
    /// end early (mid-stream error, dropped connection, stall, closed stdout).
    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        let outcome = await streamOnce(request, builder: builderFor(request), into: collector)
        guard let error = outcome.error, !collector.receivedAnything,
              let fallback = fallbackBuilder(after: error, for: request) else { return outcome }
        var retried = await streamOnce(request, builder: fallback, into: collector)
        retried.error = retried.error.map { Self.namingTheSetting($0, provider: settings.name) }
        return retried
    }

    private func streamOnce(_ request: CompletionRequest, builder: OpenAIRequestBuilder, into collector: StreamCollector) async -> StreamOutcome {
        var http = builder.httpRequest(for: request, stream: true)
        http.idleTimeout = request.options.idleTimeout
        let model = request.model.description
        let state = Mutex(StreamState(assembler: OpenAIStreamAssembler(provider: settings.name)))

        func partial(_ error: LLMError) -> StreamOutcome {
            let summary = state.withLock { s in
                s.finish(collector)
                return s.assembler.summary
            }
            return StreamOutcome(message: collector.message(summary: summary, finishReason: "error"),
                                 error: error.attributed(provider: settings.name, model: model))
        }

        let response: HTTPResponse
        do {
            response = try await client.send(http) { bytes in
                state.withLock { s in s.feed(bytes, collector) }
            }
        } catch {
            return partial(error.llmError(provider: settings, timeout: http.timeout))
        }
        guard (200..<300).contains(response.status) else {
            return partial(HTTPErrorMapper.error(for: response, to: http, provider: settings, model: request.model))
        }
        if !response.body.isEmpty {
            // Not a stream: a server that ignored `stream` (its whole reply), or a page.
            do {
                return deliverWhole(try wholeReply(response, to: http, model: request.model), to: collector)
            } catch {
                return partial(error)
            }
        }
        let (summary, failure, stopped) = state.withLock { s in
            s.finish(collector)
            return (s.assembler.summary, s.error, s.stopped)
        }
        if let failure { return partial(failure) }
        if !stopped && !summary.ended && summary.finishReason == nil {
            return partial(LLMError(.connectionFailed, "\(settings.name) at \(http.host) ended the stream before the reply was complete",
                                    provider: settings.name, retryable: false))
        }
        return StreamOutcome(message: collector.message(summary: summary))
    }

    /// A whole reply, passed on as the pieces a stream would have carried.
    private func deliverWhole(_ reply: ChatMessage, to collector: StreamCollector) -> StreamOutcome {
        var pieces: [StreamDelta] = []
        if let reasoning = reply.reasoning { pieces.append(.reasoning(reasoning)) }
        if let text = reply.text, !text.isEmpty { pieces.append(.content(text)) }
        for (index, call) in reply.toolCalls.enumerated() {
            pieces.append(.toolCall(index: index, id: call.id, name: call.name, arguments: call.arguments))
        }
        collector.receive(pieces)
        collector.flush()
        var summary = StreamSummary()
        summary.finishReason = reply.finishReason
        summary.usage = reply.usage
        summary.id = reply.id
        summary.ended = true
        return StreamOutcome(message: collector.message(summary: summary))
    }
}

/// The parse state of one stream, touched only under its lock.
struct StreamState: Sendable {
    var parser = SSEParser()
    var consumer: StreamConsumer

    init(assembler: OpenAIStreamAssembler) { consumer = StreamConsumer(assembler: assembler) }

    var assembler: OpenAIStreamAssembler { consumer.assembler }
    var error: LLMError? { consumer.error }
    var stopped: Bool { consumer.stopped }

    /// Returns whether the transfer should go on.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ collector: StreamCollector) -> Bool {
        Self.pump(&parser, &consumer) { parser, consume in parser.feedViews(bytes, emit: consume) }
        if parser.overflowed, consumer.error == nil {
            consumer.error = LLMError(.invalidReply, "the server sent a stream event larger than \(parser.limit >> 20) MiB; the reply is cut there",
                                      retryable: false)
        }
        consumer.deliver(to: collector)
        return consumer.error == nil && !consumer.stopped
    }

    /// The connection closed: an event the server did not finish means it was cut off.
    mutating func finish(_ collector: StreamCollector) {
        var sawEvent = false
        Self.pump(&parser, &consumer) { parser, consume in parser.finishViews { sawEvent = true; consume($0) } }
        consumer.deliver(to: collector)
        if consumer.error?.kind == .invalidReply, sawEvent {
            consumer.error = LLMError(.connectionFailed, "the stream ended in the middle of an event; the reply is incomplete", retryable: false)
        }
    }

    /// Runs the parser with the consumer as its sink: two parts of one state, used at once.
    private static func pump(_ parser: inout SSEParser, _ consumer: inout StreamConsumer,
                             _ body: (inout SSEParser, (SSEEventView) -> Void) -> Void) {
        body(&parser) { consumer.handle($0) }
    }
}

/// Turns events into deltas, kept until the end of the network chunk they came in.
struct StreamConsumer: Sendable {
    var assembler: OpenAIStreamAssembler
    var error: LLMError?
    /// The reader went away; stop quietly.
    var stopped = false
    private var pending: [StreamDelta] = []

    init(assembler: OpenAIStreamAssembler) { self.assembler = assembler }

    mutating func handle(_ event: SSEEventView) {
        guard error == nil, !stopped, !assembler.summary.ended else { return }
        do throws(LLMError) {
            try assembler.consume(type: event.type, data: event.data) { pending.append($0) }
        } catch {
            self.error = error
        }
    }

    mutating func deliver(to collector: StreamCollector) {
        if !pending.isEmpty {
            collector.receive(pending)
            pending.removeAll(keepingCapacity: true)
        }
        if !collector.flush() { stopped = true }
    }
}
