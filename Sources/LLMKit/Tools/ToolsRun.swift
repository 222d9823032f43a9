#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// What `llm-tools exec`, `pending` and `loop` do with a conversation.
public struct ToolsRun: Sendable {
    public var executor: ToolExecutor
    public var jobs: Int
    public var output: RecordWriter
    public var log: Log
    public let finished: FinishedResults

    public init(executor: ToolExecutor, jobs: Int, output: RecordWriter = .standardOutput, log: Log, finished: FinishedResults = FinishedResults()) {
        self.executor = executor
        self.jobs = max(1, jobs)
        self.output = output
        self.log = log
        self.finished = finished
    }

    /// Runs the calls, at most `jobs` at once; results come back in call order, and each is
    /// kept in `finished` the moment it completes.
    public func execute(_ calls: [ToolCall]) async -> [ChatMessage] {
        var results = [ChatMessage?](repeating: nil, count: calls.count)
        await run(calls) { index, message in results[index] = message }
        return results.compactMap { $0 }
    }

    /// Runs the calls, at most `jobs` at once, keeping each result in `finished` the moment
    /// it completes, then telling `completed`.
    private func run(_ calls: [ToolCall], completed: (Int, ChatMessage) -> Void) async {
        // Built-in tools work on the calling thread; with -j above 1 they use every core.
        let pool: (any TaskExecutor)? = jobs > 1 ? globalConcurrentExecutor : nil
        await withTaskGroup(of: (Int, ChatMessage).self) { group in
            var next = 0
            func startNext() {
                guard next < calls.count else { return }
                let index = next
                let call = calls[index]
                group.addTask(executorPreference: pool) { (index, await executor.run(call)) }
                next += 1
            }
            for _ in 0..<min(jobs, calls.count) { startNext() }
            while let (index, message) = await group.next() {
                finished.add(message, at: index)
                log.verbose { "\(calls[index].name) (\(calls[index].id)): \(message.extra["is_error"] == true ? "error" : "ok") in \(message.extra["duration_ms"]?.doubleValue.map { "\($0)" } ?? "?") ms" }
                completed(index, message)
                startNext()
            }
        }
    }

    /// `exec`: copies the conversation, then appends one tool message per pending call.
    /// Each is written once every call before it has its result, so what is held meanwhile
    /// is only the results that wait for an earlier call, however many calls there are.
    public func exec(_ conversation: Conversation) async throws(LLMError) {
        for line in conversation.lines { try output.writeLine(line.raw) }
        var next = 0
        var failure: LLMError?
        await run(PendingCalls.of(conversation.messages)) { _, _ in
            guard failure == nil else { return }
            do throws(LLMError) {
                next = try finished.writeReady(from: next) { (message) throws(LLMError) in try output.write(message.record) }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
    }

    /// `loop`: alternates `command` (a model step that copies its input and appends a
    /// reply) and tool execution, until the model answers without tool calls or
    /// `maxTurns` model steps have run. Everything is written as it happens.
    ///
    /// Returns the status to exit with: 0, 1 when `maxTurns` ran out, or the command's own
    /// when it fails (after its error record, or one written for it), which may be
    /// outside llmkit's set.
    public func loop(_ conversation: Conversation, command: [String], maxTurns: Int,
                     modelTimeout: Double = 600) async throws(LLMError) -> Int32 {
        var transcript = conversation.lines.map(\.raw)
        // A conversation that brings no tools record gets the tools file's, first: a model
        // that is not told the tools never calls them.
        if conversation.tools.isEmpty, !executor.definitions.isEmpty {
            var line: [UInt8] = []
            ToolDefinition.record(executor.definitions).write(to: &line)
            transcript.insert(line, at: 0)
        }
        var messages = conversation.messages
        for line in transcript { try output.writeLine(line) }
        var turns = 0
        while true {
            let pending = PendingCalls.of(messages)
            if !pending.isEmpty {
                _ = await execute(pending)
                try finished.write { (results) throws(LLMError) in
                    for message in results {
                        var line: [UInt8] = []
                        message.record.write(to: &line)
                        try output.writeLine(line)
                        transcript.append(line)
                        messages.append(message)
                    }
                }
            } else if turns > 0 {
                return ExitStatus.success.rawValue
            }
            guard turns < maxTurns else {
                log.note("stopped after \(maxTurns) model turn(s): the model still asks for tools (raise --max-turns)")
                return ExitStatus.checkFailed.rawValue
            }
            let step = try await ModelStep.run(command, transcript: transcript, output: output, timeout: modelTimeout)
            turns += 1
            var saidWhy = false
            var replied = false
            for line in step.lines {
                transcript.append(line)
                guard let object = try? JSONParser.parse(line).objectValue else { continue }
                if object["role"] != nil, let message = try? ChatMessage(json: object) {
                    messages.append(message)
                    replied = replied || message.role == "assistant"
                }
                saidWhy = saidWhy || object["type"] == "error"
            }
            if step.status != 0 {
                let how = step.signal.map { "was killed by signal \($0)" } ?? "exited with status \(step.status)"
                if !saidWhy {
                    try output.write(LLMError(.stepFailed, "the model command \(command[0]) \(how) without an error record").record)
                }
                log.note("\(command[0]) \(how)")
                return step.status
            }
            // A step that exits 0 without a reply did not answer: the loop would end as if
            // the model had, with nothing said.
            guard replied else {
                throw LLMError(.invalidReply, "the model command \(command[0]) added no assistant message; it must copy its input "
                               + "and append the reply, as llm-complete and llm-stream do")
            }
        }
    }
}

/// One run of the model command inside `loop`: the transcript in, new records out.
enum ModelStep {
    /// What one run left: its new lines, and how it ended (`status` as a shell gives it:
    /// 128 + the signal when one ended it).
    struct End {
        var lines: [[UInt8]]
        var status: Int32
        var signal: Int32?
    }

    /// Runs `command` with the transcript on stdin and its stderr shared with ours. Lines it
    /// writes beyond the copied transcript are new; they are written on as they arrive.
    static func run(_ command: [String], transcript: [[UInt8]], output: RecordWriter, timeout: Double) async throws(LLMError) -> End {
        let result: Result<End, LLMError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { () throws(LLMError) in
                    try runBlocking(command, transcript: transcript, output: output, timeout: timeout)
                })
            }
        }
        return try result.get()
    }

    /// The step is the user's own command: it runs in our process group (Ctrl-C reaches it),
    /// with the full environment and our stderr — and, like every child, with a deadline.
    private static func runBlocking(_ command: [String], transcript: [[UInt8]], output: RecordWriter, timeout: Double) throws(LLMError) -> End {
        let session: ChildProcess.Session
        do {
            session = try ChildProcess.start(command, environment: Environment.current.values, directory: nil, sharedTerminal: true)
        } catch {
            throw LLMError(.usage, "cannot run \(command[0]): \(error.message)")
        }
        close(session.errors)
        let writer = session.input
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            for line in transcript { bytes.append(contentsOf: line); bytes.append(0x0A) }
            bytes.withUnsafeBytes { _ = FileDescriptorIO.writeAll(writer, $0) }
            close(writer)
        }
        let watch = StepDeadline(session: session, timeout: timeout)
        defer { close(session.output) }
        // The step writes its copy of the transcript first — perhaps with a system line added
        // or replaced (`-s`) — then what is new. The copy ends with the transcript's last
        // line, no earlier than its place in the transcript; everything after it is new.
        // Should that line never come, the lines past the transcript's length are.
        var reader = LineReader(fd: session.output)
        var position = 0
        var copyEnded = transcript.isEmpty
        var held: [[UInt8]] = []
        var new: [[UInt8]] = []
        while let line = try reader.next() {
            defer { position += 1 }
            if !copyEnded {
                held.append(line)
                if position >= transcript.count - 1, line == transcript.last {
                    copyEnded = true
                    held.removeAll()
                }
                continue
            }
            new.append(line)
            try output.writeLine(line)
        }
        // A step that failed before copying its input still says why: an error record
        // among the lines it wrote in the copy's place is new, and passed on.
        for (position, line) in held.enumerated()
        where position >= transcript.count || (line != transcript[position] && (try? JSONParser.parse(line).objectValue)?["type"] == "error") {
            new.append(line)
            try output.writeLine(line)
        }
        var status: Int32 = 0
        while waitpid(session.pid, &status, 0) < 0 && errno == EINTR {}
        ProcessTree.disown(session.pid)
        if watch.finish() {
            throw LLMError(.timeout, "the model step \(command[0]) did not finish within \(ToolOutput.seconds(timeout)) s (raise --model-timeout)")
        }
        let signal = status & 0x7f
        return signal == 0 ? End(lines: new, status: (status >> 8) & 0xff) : End(lines: new, status: 128 + signal, signal: signal)
    }
}

/// Ends a model step that runs past its deadline; says whether it did.
private final class StepDeadline: Sendable {
    private let state = Mutex<(done: Bool, fired: Bool)>((false, false))

    init(session: ChildProcess.Session, timeout: Double) {
        Thread.detachNewThread { [self] in
            let deadline = ContinuousClock.now + .seconds(timeout)
            while ContinuousClock.now < deadline {
                if state.withLock({ $0.done }) { return }
                usleep(20_000)
            }
            let fire = state.withLock { s -> Bool in
                guard !s.done else { return false }
                s.fired = true
                return true
            }
            if fire { ProcessTree.endSession(session.pid, marker: "") }
        }
    }

    /// The step is over; true if it was the deadline that ended it.
    func finish() -> Bool {
        state.withLock { s in
            s.done = true
            return s.fired
        }
    }
}
