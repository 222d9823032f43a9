#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs a declared program for each reply, the way tools run: argv with no shell, an
/// allowlisted environment, its own process group, a timeout that ends everything it
/// started. The conversation goes in on stdin; the reply comes out on stdout.
public struct CommandProvider: Provider {
    public let settings: ProviderSettings
    let environment: Environment

    public init(settings: ProviderSettings, environment: Environment) {
        self.settings = settings
        self.environment = environment
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest? { nil }

    /// Up when every declared program can be found; the models are the commands.
    public func health(timeout: Double) async -> ServerHealth {
        var health = ServerHealth(target: "cmd", status: .up, server: "cmd")
        health.answered = true
        var missing: [String] = []
        for (name, value) in settings.options["commands"]?.objectValue?.entries ?? [] {
            guard case .success(let command) = RunnerCommand.parse(value) else { continue }
            let program = command.argv[0]
            let found = ChildProcess.locate(program, path: environment["PATH"]) != nil
            if !found { missing.append(program) }
            health.models.append(ServedModel(name: name, loaded: found))
        }
        if !missing.isEmpty {
            health.status = .down
            health.error = "not found: \(missing.joined(separator: ", "))"
        }
        return health
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        try await run(request, pieces: nil)
    }

    public func stream(_ request: CompletionRequest, into collector: StreamCollector) async -> StreamOutcome {
        do throws(LLMError) {
            let command = try command(for: request)
            guard command.output == .text else { return collector.deliverWhole(try await run(request, pieces: nil)) }
            let decoder = Mutex(UTF8Pieces())
            let message = try await run(request) { bytes in
                let text = decoder.withLock { $0.decode(bytes) }
                guard !text.isEmpty else { return true }
                collector.receive(.content(text))
                return collector.flush()  // false: nobody reads any more, so the runner is ended
            }
            let rest = decoder.withLock { $0.finish() }
            if !rest.isEmpty {
                collector.receive(.content(rest))
                collector.flush()
            }
            var summary = StreamSummary()
            summary.finishReason = message.finishReason
            summary.ended = true
            return StreamOutcome(message: collector.message(summary: summary))
        } catch {
            return StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
        }
    }

    func command(for request: CompletionRequest) throws(LLMError) -> RunnerCommand {
        let commands = settings.options["commands"]?.objectValue ?? JSONObject()
        guard let value = commands[request.model.name] else {
            let known = commands.entries.map(\.0)
            throw LLMError(.modelNotFound, "no command \(request.model.name) under providers.\(settings.name).commands in the config"
                           + (known.isEmpty ? "" : "; it has \(known.joined(separator: ", "))"),
                           provider: settings.name, model: request.model.description)
        }
        switch RunnerCommand.parse(value) {
        case .success(let command): return command
        case .failure(let problem): throw LLMError(.configuration, "providers.\(settings.name).commands.\(request.model.name): \(problem.message)")
        }
    }

    private func run(_ request: CompletionRequest, pieces: (@Sendable (ArraySlice<UInt8>) -> Bool)?) async throws(LLMError) -> ChatMessage {
        let command = try command(for: request)
        let label = request.model.description
        // The config's timeout is a limit: a record may shorten it, never lengthen it.
        let timeout = min(request.options.timeout ?? command.timeout, command.timeout)
        let environment = ToolEnvironment.forTool(self.environment.values, named: command.environment)
        for name in command.environment where ToolEnvironment.looksSecret(name) {
            if let value = environment[name] { Redactor.register(value) }
        }
        let result: ChildProcess.Result
        do {
            result = try await ChildProcess.run(command.argv, environment: environment, input: Self.input(for: request, as: command.input),
                                                timeout: timeout, outputLimit: settings.maxReplyBytes, stopAtLimit: true, onOutput: pieces)
        } catch {
            throw LLMError(.configuration, "cannot run \(command.argv[0]) for \(label): \(error.message)", provider: settings.name, model: label)
        }
        let stderr = HTTPErrorMapper.oneLine(String(decoding: result.stderr, as: UTF8.self), limit: 300)
        if result.truncated {
            throw LLMError(.invalidReply, "\(label) wrote more than max_reply_mb (\(settings.maxReplyBytes >> 20) MiB); it was stopped",
                           provider: settings.name, model: label)
        }
        if result.stopped {
            // The reader left: what was written is all anyone will see.
            var message = ChatMessage(role: "assistant", content: .string(String(decoding: result.stdout, as: UTF8.self)))
            message.finishReason = "stop"
            return message
        }
        if result.timedOut {
            throw LLMError(.timeout, "\(label) did not finish within \(ToolOutput.seconds(timeout)) s",
                           provider: settings.name, model: label, retryable: false)
        }
        guard result.exitStatus == 0 else {
            let how = result.exitStatus.map { "exit status \($0)" } ?? "signal \(result.signal ?? 0)"
            throw LLMError(.serverError, "\(command.argv[0]) (\(label)) failed with \(how)" + (stderr.isEmpty ? "" : ": \(stderr)"),
                           provider: settings.name, model: label, retryable: false)
        }
        var message: ChatMessage
        switch command.output {
        case .text:
            message = ChatMessage(role: "assistant", content: .string(String(decoding: result.stdout, as: UTF8.self)))
        case .message:
            do {
                guard let object = try JSONParser.parse(result.stdout).objectValue else { throw JSONParseError(offset: 0, reason: "not an object") }
                var fields = object
                fields["role"] = "assistant"
                message = try ChatMessage(json: fields)
            } catch {
                throw LLMError(.invalidReply, "\(label) did not write one assistant message as JSON: \(error)", provider: settings.name, model: label)
            }
            message.model = nil
        }
        if message.finishReason == nil { message.finishReason = message.toolCalls.isEmpty ? "stop" : "tool_calls" }
        message.timings = Timings(totalMs: result.duration / .milliseconds(1))
        return message
    }

    /// What the program reads. As text: a lone question as it is; with a system prompt or
    /// earlier turns, each message a paragraph led by its role. As JSON Lines: the
    /// records themselves, a `tools` record first.
    static func input(for request: CompletionRequest, as form: RunnerCommand.Input) -> [UInt8] {
        var bytes: [UInt8] = []
        switch form {
        case .jsonl:
            if !request.tools.isEmpty {
                ToolDefinition.record(request.tools).write(to: &bytes)
                bytes.append(0x0A)
            }
            for message in request.messages {
                message.record.write(to: &bytes)
                bytes.append(0x0A)
            }
        case .text:
            if request.messages.count == 1, let only = request.messages.first, only.role == "user" {
                bytes.append(contentsOf: (only.text ?? "").utf8)
            } else {
                let paragraphs = request.messages.map { message -> String in
                    let who = message.role.prefix(1).uppercased() + message.role.dropFirst()
                    let calls = message.toolCalls.map { " [calls \($0.name) \($0.arguments)]" }.joined()
                    return "\(who): \(message.text ?? "")\(calls)"
                }
                bytes.append(contentsOf: paragraphs.joined(separator: "\n\n").utf8)
            }
            bytes.append(0x0A)
        }
        return bytes
    }
}

/// UTF-8 in pieces cut anywhere: each piece's text, with a character cut at its end held
/// until the rest arrives.
struct UTF8Pieces: Sendable {
    private var held: [UInt8] = []

    mutating func decode(_ bytes: ArraySlice<UInt8>) -> String {
        held.append(contentsOf: bytes)
        var end = held.count
        // Back up over a last sequence that is not complete yet (at most 3 bytes).
        var back = 0
        while back < min(3, held.count) {
            let byte = held[held.count - 1 - back]
            if byte & 0xC0 != 0x80 {
                let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                if needed > back + 1 { end = held.count - 1 - back }
                break
            }
            back += 1
        }
        let text = String(decoding: held[..<end], as: UTF8.self)
        held.removeFirst(end)
        return text
    }

    /// The output ended: whatever is held, a cut character shown as U+FFFD.
    mutating func finish() -> String {
        defer { held.removeAll() }
        return String(decoding: held, as: UTF8.self)
    }
}
