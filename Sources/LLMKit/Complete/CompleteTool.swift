/// What `llm-complete` does, apart from parsing its command line.
public struct CompleteTool: Sendable {
    public struct Settings: Sendable {
        /// The prompt given as arguments, joined.
        public var prompt: String?
        /// Tool definitions from `--tools FILE`; they replace any in the input.
        public var tools: [ToolDefinition]?
        public var textOutput = false
        public var jobs = 1
        public var dryRun = false
        /// Write pieces of the reply as they arrive (`llm-stream`).
        public var stream = false
        /// While streaming, also write the reply text to stderr for a person to watch.
        public var show = false
        /// False when stdin is a terminal: then only the argument is the prompt.
        public var readStandardInput = true
        /// `--batch-api`: batch lines go to the provider's batch service as one job.
        public var batchAPI = false
        /// `--detach`: print the job record and leave instead of waiting.
        public var detach = false
        /// `--resume FILE`: wait for the job whose record FILE holds.
        public var resume: String?
        /// Seconds between polls of a provider batch.
        public var pollInterval = 30.0

        public init() {}
    }

    public var completer: Completer
    public var settings: Settings
    public var output: RecordWriter
    public var log: Log
    /// What to write if the run is stopped now (`InFlight`).
    public let inFlight = InFlight()

    public init(completer: Completer, settings: Settings, output: RecordWriter = .standardOutput, log: Log) {
        self.completer = completer
        self.settings = settings
        self.output = output
        self.log = log
    }

    public func run(input: LineReader = LineReader(fd: 0)) async -> ExitStatus {
        if let resume = settings.resume { return await ProviderBatchRun(tool: self).resume(from: resume) }
        var source = InputSource(reader: input)
        var conversation = Conversation()
        do throws(LLMError) {
            let start: InputSource.Start = settings.readStandardInput ? try source.start() : .empty
            if settings.batchAPI {
                guard case .records(let first) = start, case .batch = first.record else {
                    throw LLMError(.usage, "--batch-api needs batch input on stdin: lines that each hold a whole request with \"messages\" (see --help)")
                }
            }
            switch start {
            case .empty:
                guard let prompt = settings.prompt else {
                    throw LLMError(.usage, "nothing to complete: give a prompt as an argument or on stdin (see --help)")
                }
                conversation.messages = [.user(prompt)]
            case .text(let text):
                conversation.messages = [.user(Self.joinPrompt(stdin: text, argument: settings.prompt))]
            case .records(let first):
                if case .batch = first.record {
                    if settings.batchAPI, !settings.dryRun { return await ProviderBatchRun(tool: self).submit(first: first, source: &source) }
                    return await BatchRun(tool: self).run(first: first, source: &source)
                }
                try conversation.add(first)
                while let line = try source.next() { try conversation.add(line) }
                if let prompt = settings.prompt { conversation.messages.append(.user(prompt)) }
            }
        } catch {
            // The lines read before the one that failed still flow on, then the failure as a
            // record: a later stage or a log keeps both (a missing prompt is a usage error).
            guard error.kind != .usage, !settings.dryRun else { return fail(error, writeRecord: false) }
            try? echo(conversation, sent: [])
            return fail(error, writeRecord: true)
        }
        return await complete(conversation)
    }

    /// stdin first, then the argument, as `llm` does; a blank line keeps them apart.
    static func joinPrompt(stdin: String, argument: String?) -> String {
        var text = stdin
        while text.last?.isNewline == true { text.removeLast() }
        guard let argument, !argument.isEmpty else { return text }
        return text.isEmpty ? argument : text + "\n\n" + argument
    }

    private func complete(_ conversation: Conversation) async -> ExitStatus {
        if let failure = conversation.upstreamFailure, !settings.dryRun {
            try? echo(conversation, sent: [])
            return fail(failure, writeRecord: false)
        }
        guard !conversation.messages.isEmpty else {
            if !settings.dryRun { try? echo(conversation, sent: []) }
            return fail(LLMError(.invalidInput, "the input has no messages to reply to"), writeRecord: !settings.dryRun)
        }
        let plan: RoutePlan
        do throws(LLMError) {
            plan = try completer.plan(messages: conversation.messages, tools: settings.tools ?? conversation.tools, inStream: conversation.options)
            if settings.dryRun {
                let (request, provider) = try plan.primaryProvider()
                try output.write(completer.dryRunRecord(request, provider: provider, stream: settings.stream))
                return .success
            }
        } catch {
            // The conversation still flows on, so a later stage or a log keeps it.
            if !settings.dryRun { try? echo(conversation, sent: conversation.messages) }
            return fail(error, writeRecord: !settings.dryRun)
        }
        let request = plan.primary.request
        do throws(LLMError) {
            try echo(conversation, sent: request.messages)
        } catch {
            return fail(error, writeRecord: false)
        }
        if settings.stream { return await streamReply(plan) }
        do throws(LLMError) {
            let reply = try await completer.complete(plan)
            if settings.textOutput {
                try output.writeText(Self.textLine(reply))
            } else {
                try output.write(reply.record)
            }
            if let schema = request.options.schema { try Self.check(reply, against: schema) }
            return .success
        } catch {
            return fail(error, writeRecord: true)
        }
    }

    /// Copies the input through, then any user message made from the prompt argument,
    /// so that the output is the whole conversation. A system prompt set by flag or
    /// environment replaces the input's own line, or leads the output.
    private func echo(_ conversation: Conversation, sent: [ChatMessage]) throws(LLMError) {
        guard !settings.textOutput else { return }
        let system = sent.first { $0.role == "system" || $0.role == "developer" }
        let changedSystem = system.flatMap { s in conversation.messages.contains { $0 == s } ? nil : s }
        var systemWritten = false
        if let changedSystem, !conversation.messages.contains(where: { $0.role == "system" || $0.role == "developer" }) {
            try output.write(changedSystem.record)
            systemWritten = true
        }
        for line in conversation.lines {
            if let changedSystem, !systemWritten, case .message(let m) = line.record, m.role == "system" || m.role == "developer" {
                try output.write(changedSystem.record)
                systemWritten = true
            } else {
                try output.writeLine(line.raw)
            }
        }
        let echoed = conversation.lines.reduce(0) { count, line in
            if case .message = line.record { return count + 1 }
            return count
        }
        for message in conversation.messages.dropFirst(echoed) { try output.write(message.record) }
    }

    static func textLine(_ reply: ChatMessage) -> String {
        let text = reply.text ?? ""
        return text.hasSuffix("\n") ? text : text + "\n"
    }

    /// Structured output must be JSON that fits the schema; the reply is kept either way.
    static func check(_ reply: ChatMessage, against schema: JSONValue) throws(LLMError) {
        let text = reply.text ?? ""
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw LLMError(.schemaMismatch, "the reply is not valid JSON (\(error)), though --schema asked for it", model: reply.model)
        }
        if let violation = JSONSchemaValidator.firstViolation(of: value, against: schema) {
            throw LLMError(.schemaMismatch, "the reply does not match the schema: \(violation)", model: reply.model)
        }
    }

    /// Renders a failure once: a line on stderr and, when a pipeline reads records, an
    /// `error` record on stdout after whatever was already written.
    func fail(_ error: LLMError, writeRecord: Bool) -> ExitStatus {
        log.error(error)
        if !settings.textOutput, writeRecord {
            try? output.write(error.record)
        }
        return error.exitStatus
    }
}

extension CompleteTool {
    /// The route for one batch line: its own settings and tools over those of the stream.
    func plan(_ request: BatchRequest, streamOptions: RequestOptions, streamTools: [ToolDefinition]) throws(LLMError) -> RoutePlan {
        let messages = try request.messages()
        let lineOptions = try RequestOptions(json: request.body)
        let lineTools = try request.body["tools"].map { value throws(LLMError) in try ToolDefinition.list(from: value) }
        return try completer.plan(messages: messages, tools: settings.tools ?? lineTools ?? streamTools, inStream: lineOptions.over(streamOptions))
    }
}
