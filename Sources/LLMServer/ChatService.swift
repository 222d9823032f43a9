import Foundation
import HTTPTypes
import Hummingbird
import LLMKit
import NIOCore

/// `POST /v1/chat/completions`: who is asking, which agent answers, and the reply in
/// OpenAI's shape, whole or as server-sent events. Failures are thrown as `ClientError`s,
/// which the request log renders; what the access log says is put in the request's record.
struct ChatService: Sendable {
    let settings: ServeSettings
    let catalog: AgentCatalog
    let completer: Completer
    let metrics: ServeMetrics
    let gate: RequestGate
    let keys: KeyRing

    /// One request, once it is known who asks and which agent answers.
    struct Job: Sendable {
        let served: ServedRequest
        let agent: AgentDefinition
        let user: String
        let environment: [String: String]
    }

    func respond(_ request: Request, context: ServeContext) async throws -> Response {
        let record = context.record
        // The body is read before a slot is taken, within a deadline: a client that sends
        // it slowly, or never, holds nothing that others need.
        let bytes: ByteBuffer
        do throws(LLMError) {
            bytes = try await Self.readBody(request, limit: settings.maxBodyBytes, within: Self.bodyDeadline)
        } catch {
            throw ClientError.request(error)
        }
        guard let ticket = gate.enter() else { throw ClientError.busy(limit: gate.limit) }
        // The slot is held until the reply is made (a stream keeps its own hold to its end).
        defer { withExtendedLifetime(ticket) {} }
        metrics.started()
        let metrics = self.metrics
        record.whenOver { metrics.finished(agent: $0.agent, status: $0.status, duration: $0.duration, usage: $0.usage) }
        do {
            let job = try prepare(request, body: bytes, context: context)
            let run = AgentRun(runner: try makeRunner(job), timeout: job.agent.timeout ?? settings.timeout, agent: job.agent.name)
            // A client that leaves ends the work done for it. Weakly: the connection may
            // outlive many requests, and must not keep each one's run.
            context.channel.closeFuture.whenComplete { [weak run] _ in run?.cancel() }
            guard job.served.stream else { return try await answerWhole(job, run: run, context: context) }
            return try await answerStreamed(job, run: run, record: record) { withExtendedLifetime(ticket) {} }
        } catch let error as ClientError {
            record.failed(error)
            throw error
        }
    }

    /// The body read as a request, the agent it names, and who it is for.
    private func prepare(_ request: Request, body: ByteBuffer, context: ServeContext) throws -> Job {
        let served: ServedRequest
        do throws(LLMError) {
            served = try ServedRequest(body: Array(body.readableBytesView))
        } catch {
            throw ClientError.request(error)
        }
        guard let agent = catalog.current.agent(named: served.agent) else { throw ClientError.modelNotFound(served.agent) }
        context.record.update { $0.agent = agent.name }
        let named = request.headers[values: HTTPField.Name(settings.userHeader)!]
        guard named.count <= 1 else { throw ClientError(status: 400, code: "invalid_input", message: "\(settings.userHeader) is given more than once") }
        let header = named.first.flatMap { $0.isEmpty ? nil : $0 }
        let identity = ServedUser.identity(boundUser: context.key?.user, keyed: context.key != nil, loopback: context.clientIsLoopback,
                                           header: header, body: served.user)
        // A user a key is bound to is whoever holds that key, and no one else.
        if context.key?.user == nil, keys.binds(user: identity) {
            throw ClientError(status: 403, code: "permission_denied", message: "the user \(identity.debugDescription) has a key of their own: only it names them")
        }
        do throws(LLMError) {
            let user = try ServedUser.token(identity)
            var environment = settings.environment
            environment["LLMKIT_USER"] = user
            environment["LLMKIT_AGENT"] = agent.name
            if let chat = request.headers[HTTPField.Name(settings.chatHeader)!], !chat.isEmpty {
                environment["LLMKIT_CHAT"] = try ServedUser.token(chat)
            }
            context.record.update {
                $0.user = user
                if settings.logContent { $0.prompt = served.messages.last(where: { $0.role == "user" })?.text }
            }
            return Job(served: served, agent: agent, user: user, environment: environment)
        } catch {
            throw ClientError.request(error)
        }
    }

    /// `"stream": false`: the reply in one piece, with any steps the agent showed before it.
    private func answerWhole(_ job: Job, run: AgentRun, context: ServeContext) async throws -> Response {
        var shown = ""
        var showedSteps = false
        let answer = await run.collect { event in
            switch event {
            case .text(let text): shown += text
            case .step(let text):
                shown += text
                showedSteps = true
            case .reasoning: break
            }
        }
        context.record.update { $0.usage = answer.usage }
        guard context.channel.isActive else { throw ClientError.clientGone }
        if let error = answer.error { throw ClientError.agentFailed(error, agent: job.agent.name) }
        var reply = answer.reply ?? ChatMessage(role: "assistant", content: .string(""))
        // The steps stand before the reply, as a stream shows them.
        if showedSteps { reply.content = .string(shown + (answer.replyStreamed ? "" : reply.text ?? "")) }
        let text = reply.text
        context.record.update {
            $0.status = 200
            if settings.logContent { $0.reply = text }
        }
        var bytes: [UInt8] = []
        ChatCompletionEncoder(model: job.agent.name).completion(reply, usage: answer.usage).write(to: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Who answers: a command, the agent's model in process, or its `tasks` model for a
    /// client's housekeeping request.
    private func makeRunner(_ job: Job) throws(ClientError) -> AgentRun.Runner {
        let served = job.served, agent = job.agent
        let workdir: String?
        do throws(LLMError) {
            workdir = try agent.workdir.map { template throws(LLMError) in try ServedUser.directory(template, user: job.user) }
        } catch {
            throw ClientError.agentFailed(error, agent: agent.name)
        }
        if served.isClientTask, let model = agent.tasks {
            let inProcess = InProcessAgent(completer: completer, definition: agent)
            return { _ in await inProcess.answer(served, model: model, workdir: nil, stream: false) { _ in } }
        }
        switch agent.answerer {
        case .command(let argv):
            let (input, messages) = CommandAgentRun.input(for: served, agent: agent)
            let run = CommandAgentRun(agent: agent, argv: argv, environment: job.environment, directory: workdir, input: input, messages: messages)
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

    /// Seconds a client has to send its whole body.
    static let bodyDeadline = 30.0

    /// The body, whole: 413 past `limit`, 408 past the deadline, 400 if the client left.
    static func readBody(_ request: Request, limit: Int, within seconds: Double) async throws(LLMError) -> ByteBuffer {
        let result = await withTaskGroup(of: Result<ByteBuffer, LLMError>?.self) { group in
            group.addTask {
                do {
                    return .success(try await request.body.collect(upTo: limit))
                } catch is NIOTooManyBytesError {
                    return .failure(LLMError(.invalidInput, "the request body is larger than \(limit) bytes", status: 413))
                } catch {
                    return .failure(LLMError(.invalidInput, "the request body could not be read", status: 400))
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
}
