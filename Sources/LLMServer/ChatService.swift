import AsyncAlgorithms
import Foundation
import HTTPTypes
import Hummingbird
import LLMKit
import NIOCore
import Synchronization

/// `POST /v1/chat/completions`: who is asking, which agent answers, and the reply in
/// OpenAI's shape, whole or as server-sent events.
struct ChatService: Sendable {
    let settings: ServeSettings
    let catalog: AgentCatalog
    let completer: Completer
    let metrics: ServeMetrics
    let accessLog: AccessLog
    let gate: RequestGate

    /// What an agent's run sends to the response as it goes.
    enum Item: Sendable {
        case event(AgentEvent)
        case done(AgentAnswer)
    }

    func respond(_ request: Request, context: ServeContext) async -> Response {
        var entry = AccessLog.Entry(method: request.method.rawValue, path: request.uri.path)
        let start = ContinuousClock.now
        let key = settings.keys.match(authorization: request.headers[.authorization])
        if !settings.keys.isEmpty, key == nil {
            return finish(&entry, start, error: Self.unauthorized, status: 401)
        }
        // The body is read before a slot is taken, within a deadline: a client that sends
        // it slowly, or never, holds nothing that others need.
        let bytes: ByteBuffer
        do throws(LLMError) {
            bytes = try await Self.readBody(request, limit: settings.maxBodyBytes, within: Self.bodyDeadline)
        } catch {
            return finish(&entry, start, error: error, status: error.status)
        }
        guard let ticket = gate.enter() else {
            var response = finish(&entry, start, error: LLMError(.rateLimited, "llm-serve is answering \(gate.limit) requests already (--max-concurrent); try again shortly"))
            response.headers[.retryAfter] = "1"
            return response
        }
        // The slot is held until the reply is written (the stream keeps its own hold).
        defer { withExtendedLifetime(ticket) {} }
        metrics.started()
        var inFlight = true
        defer { if inFlight { metrics.finished(agent: entry.agent, status: entry.status, duration: .now - start, usage: entry.usage) } }

        let served: ServedRequest
        let agent: AgentDefinition
        let user: String
        let environment: [String: String]
        do throws(LLMError) {
            served = try ServedRequest(body: Array(bytes.readableBytesView))
            guard let found = catalog.current.agent(named: served.agent) else {
                throw LLMError(.notFound, "no agent named \(served.agent.debugDescription): GET /v1/models lists them")
            }
            agent = found
            entry.agent = agent.name
            let named = request.headers[values: HTTPField.Name(settings.userHeader)!]
            guard named.count <= 1 else { throw LLMError(.invalidInput, "\(settings.userHeader) is given more than once") }
            let identity = key?.user ?? named.first ?? served.user ?? ""
            user = try ServedUser.token(identity)
            entry.user = user
            var env = settings.environment
            env["LLMKIT_USER"] = user
            env["LLMKIT_AGENT"] = agent.name
            if let chat = request.headers[HTTPField.Name(settings.chatHeader)!], !chat.isEmpty { env["LLMKIT_CHAT"] = try ServedUser.token(chat) }
            environment = env
            if settings.logContent { entry.prompt = served.messages.last(where: { $0.role == "user" })?.text }
        } catch {
            return finish(&entry, start, error: error)
        }

        let runner: @Sendable (@escaping @Sendable (AgentEvent) async -> Void) async -> AgentAnswer
        do throws(LLMError) {
            runner = try makeRunner(served, agent: agent, user: user, environment: environment)
        } catch {
            return finish(&entry, start, error: error)
        }
        let channel = AsyncChannel<Item>()
        let timedOut = Atomic<Bool>(false)
        let task = Task {
            let answer = await runner { event in await channel.send(.event(event)) }
            await channel.send(.done(answer))
            channel.finish()
        }
        let seconds = agent.timeout ?? settings.timeout
        let watchdog = Task {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            timedOut.store(true, ordering: .relaxed)
            task.cancel()
        }
        // A client that leaves ends the work done for it.
        context.channel.closeFuture.whenComplete { _ in task.cancel() }
        let timeoutError = LLMError(.timeout, "agent \(agent.name) took longer than \(Self.seconds(seconds)) s (timeout)")
        let encoder = ChatCompletionEncoder(model: agent.name)

        if !served.stream {
            var answer = AgentAnswer(error: LLMError(.interrupted, "agent \(agent.name) was stopped"))
            await withTaskCancellationHandler {
                for await item in channel { if case .done(let done) = item { answer = done } }
            } onCancel: { task.cancel() }
            watchdog.cancel()
            if timedOut.load(ordering: .relaxed) { answer.error = timeoutError }
            entry.usage = answer.usage
            if !context.channel.isActive {
                return finish(&entry, start, error: LLMError(.interrupted, "the client closed the connection"), status: 499)
            }
            if let error = answer.error { return finish(&entry, start, error: error) }
            let reply = answer.reply ?? ChatMessage(role: "assistant", content: .string(""))
            if settings.logContent { entry.reply = reply.text }
            var bytes: [UInt8] = []
            encoder.completion(reply, usage: answer.usage).write(to: &bytes)
            return finish(&entry, start, status: .ok, body: bytes, contentType: "application/json")
        }

        // Streaming: the status waits for the first thing the agent says, so that an agent
        // that fails at once gets its own status, not a 200 and an error event.
        var iterator = channel.makeAsyncIterator()
        let first = await withTaskCancellationHandler { await iterator.next() } onCancel: { task.cancel() }
        if case .done(var answer)? = first, answer.error != nil {
            watchdog.cancel()
            if timedOut.load(ordering: .relaxed) { answer.error = timeoutError }
            entry.usage = answer.usage
            return finish(&entry, start, error: answer.error!)
        }
        inFlight = false
        let streamEntry = entry
        let service = self
        let body = ResponseBody { writer in
            var entry = streamEntry
            entry.status = 200
            var answer = AgentAnswer()
            var replyText = ""
            do {
                try await writer.write(ByteBuffer(bytes: ChatCompletionEncoder.event(encoder.roleChunk())))
                var next = first
                var rest = channel.makeAsyncIterator()
                while let item = next {
                    switch item {
                    case .event(let event):
                        let chunk: JSONObject
                        switch event {
                        case .text(let text), .step(let text):
                            if service.settings.logContent { replyText += text }
                            chunk = encoder.contentChunk(text)
                        case .reasoning(let text): chunk = encoder.reasoningChunk(text)
                        }
                        try await writer.write(ByteBuffer(bytes: ChatCompletionEncoder.event(chunk)))
                    case .done(let done):
                        answer = done
                    }
                    next = await rest.next()
                }
                watchdog.cancel()
                if timedOut.load(ordering: .relaxed) { answer.error = timeoutError }
                var tail: [UInt8] = []
                if let reply = answer.reply, !answer.replyStreamed, let text = reply.text, !text.isEmpty, answer.error == nil {
                    if service.settings.logContent { replyText += text }
                    tail += ChatCompletionEncoder.event(encoder.contentChunk(text))
                }
                if let error = answer.error {
                    // Mid-stream: an error event the SDKs raise, then the end.
                    entry.error = error.message
                    let error = ChatService.forTheClient(error, agent: entry.agent)
                    tail += ChatCompletionEncoder.event(ChatCompletionEncoder.errorBody(error))
                    entry.status = error.httpStatus
                } else {
                    let reply = answer.reply ?? ChatMessage(role: "assistant", content: nil)
                    if !reply.toolCalls.isEmpty { tail += ChatCompletionEncoder.event(encoder.toolCallsChunk(reply.toolCalls)) }
                    tail += ChatCompletionEncoder.event(encoder.finishChunk(ChatCompletionEncoder.finishReason(reply)))
                    if served.includeUsage { tail += ChatCompletionEncoder.event(encoder.usageChunk(answer.usage ?? Usage())) }
                }
                tail += ChatCompletionEncoder.done
                try await writer.write(ByteBuffer(bytes: tail))
                try await writer.finish(nil)
            } catch {
                // The client is gone: its agent goes too.
                task.cancel()
                watchdog.cancel()
                entry.status = 499
                entry.error = "the client closed the connection"
            }
            entry.usage = answer.usage
            if service.settings.logContent { entry.reply = replyText }
            entry.duration = .now - start
            service.accessLog.write(entry)
            service.metrics.finished(agent: entry.agent, status: entry.status, duration: entry.duration, usage: answer.usage)
            withExtendedLifetime(ticket) {}
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Who answers: a command, the agent's model in process, or its `tasks` model for a
    /// client's housekeeping request.
    private func makeRunner(_ served: ServedRequest, agent: AgentDefinition, user: String,
                            environment: [String: String]) throws(LLMError) -> @Sendable (@escaping @Sendable (AgentEvent) async -> Void) async -> AgentAnswer {
        let workdir = try agent.workdir.map { template throws(LLMError) in try ServedUser.directory(template, user: user) }
        if served.isClientTask, let model = agent.tasks {
            let inProcess = InProcessAgent(completer: completer, definition: agent)
            return { emit in await inProcess.answer(served, model: model, workdir: nil, stream: false) { _ in } }
        }
        switch agent.answerer {
        case .command(let argv):
            let (input, messages) = CommandAgentRun.input(for: served, agent: agent)
            let run = CommandAgentRun(agent: agent, argv: argv, environment: environment, directory: workdir, input: input, messages: messages)
            return { emit in await run.run(emit: emit) }
        case .model:
            let inProcess = InProcessAgent(completer: completer, definition: agent)
            let stream = served.stream
            return { emit in
                // Events come from the stream's thread; they are sent on in order.
                let (events, continuation) = AsyncStream<AgentEvent>.makeStream()
                async let answer = inProcess.answer(served, workdir: workdir, stream: stream) { continuation.yield($0) }
                let forward = Task {
                    for await event in events { await emit(event) }
                }
                let done = await answer
                continuation.finish()
                await forward.value
                return done
            }
        }
    }

    static let unauthorized = LLMError(.authentication, "a valid key is needed: send it as Authorization: Bearer KEY")

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Seconds a client has to send its whole body.
    static let bodyDeadline = 30.0

    /// The body, whole: 413 past `limit`, 408 past the deadline, 400 if the client left.
    static func readBody(_ request: Request, limit: Int, within seconds: Double) async throws(LLMError) -> ByteBuffer {
        let result = await withTaskGroup(of: Result<ByteBuffer, LLMError>?.self) { group in
            group.addTask {
                do {
                    return .success(try await request.body.collect(upTo: limit))
                } catch is NIOTooManyBytesError {
                    return .failure(LLMError(.invalidInput, "the request body is larger than \(limit) bytes (--max-body)", status: 413))
                } catch {
                    return .failure(LLMError(.invalidInput, "the request body could not be read: \(error)", status: 400))
                }
            }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return Task.isCancelled ? nil : .failure(LLMError(.invalidInput, "the request body did not arrive within \(Int(seconds)) s", status: 408))
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .failure(LLMError(.interrupted, "the request was cancelled", status: 503))
        }
        return try result.get()
    }

    /// What a client is told of a failure. How the server set an agent up (its command line,
    /// config, files, keys) is the operator's to mend, and its paths and settings are not the
    /// client's to read: the client gets 502 `step_failed`, the access log the whole message.
    static func forTheClient(_ error: LLMError, agent: String?) -> LLMError {
        switch error.kind {
        case .usage, .configuration, .unknownProvider, .ioError, .internalError, .stepFailed, .missingAPIKey:
            LLMError(.stepFailed, "agent \(agent ?? "?") failed (\(error.code)); llm-serve's log has what it said")
        default:
            error
        }
    }

    /// Writes the access log line and the metrics for a request answered in one piece.
    /// `status` is for what the server itself decides (401, 413, 499); an agent's error
    /// carries an upstream's status, which is not the client's to see: its kind decides.
    private func finish(_ entry: inout AccessLog.Entry, _ start: ContinuousClock.Instant, error: LLMError, status: Int? = nil) -> Response {
        entry.error = error.message
        let error = Self.forTheClient(error, agent: entry.agent)
        let status = status ?? error.httpStatus
        var bytes: [UInt8] = []
        ChatCompletionEncoder.errorBody(error, status: status).write(to: &bytes)
        return finish(&entry, start, status: HTTPResponse.Status(code: status), body: bytes, contentType: "application/json")
    }

    private func finish(_ entry: inout AccessLog.Entry, _ start: ContinuousClock.Instant, status: HTTPResponse.Status,
                        body: [UInt8], contentType: String) -> Response {
        entry.status = status.code
        entry.duration = .now - start
        accessLog.write(entry)
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
