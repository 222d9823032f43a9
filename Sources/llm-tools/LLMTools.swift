import ArgumentParser
import Foundation
import LLMCommandLine
import LLMKit
import LLMKitMCP

@main
struct LLMTools: LLMCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-tools",
        abstract: "List tools, run the tool calls a model asked for, and drive agent loops.",
        discussion: """
            Tools are declared in a tools file (YAML, -f): command tools (an argv that reads \
            its arguments as JSON on stdin), built-in tools (read_file, write_file, \
            edit_file, list_dir, search_files, http_get, shell) and MCP servers over stdio.

            Examples:
              llm-tools list -f tools.yaml | cat - question.jsonl | llm-complete -m ollama/qwen3 \\
                | llm-tools exec -f tools.yaml | llm-complete -m ollama/qwen3
              llm-tools loop -f tools.yaml --max-turns 8 -- llm-complete -m ollama/qwen3 < chat.jsonl
              while llm-tools pending < chat.jsonl; do ...; done

            Security: a model's tool calls are chosen by whoever wrote text it read. File \
            built-ins are confined to the root (openat2 beneath it; symlinks, FIFOs and \
            hard-linked files refused); tools get an allowlisted environment (PATH, HOME, \
            LANG, LC_*, TZ, TERM, USER, LOGNAME, TMPDIR, SHELL…) plus what their entry names \
            (env: [NAME]); every call has a timeout, and everything it started is killed when \
            it ends. Without --isolate a command tool runs as you and can read what you can \
            and reach the network. --isolate runs command tools, shell and MCP servers under \
            bubblewrap: no network, no other processes, no capabilities, no home, /run or \
            /var, only /usr, a few /etc files, the tool's program and readable: paths \
            (read-only), and the root (writable only with --allow-write). Keys are masked in \
            all output, and this process is not dumpable.

            \(HelpTable.exitStatus([(.success, "success"),
                                    (.checkFailed, "pending: nothing is pending; loop: --max-turns ran out")]
                                   + SharedHelp.requestStatuses,
                                   note: "A tool that fails or is refused says so in its result, not in the status; loop ends with its command's status when the command fails, and on a signal the results that finished are still written.").text)

            \(HelpTable("Environment", SharedHelp.configEnvironment + [
                .init("LLMKIT_BWRAP", "the bubblewrap program for --isolate (default: bwrap in /usr/bin, /usr/local/bin or /bin; empty: none)"),
                .init("LLMKIT_CALL", "set for every tool process, so that all a call started can be found and ended"),
                .init("LLM_ARG_NAME", "set for a command tool with arguments_env: true, one per argument"),
            ]).text)

            \(HelpTable("Files", [.init("tools.yaml", "the tools file given with -f (see llmkit(5))"), SharedHelp.configFile]).text)
            """,
        version: LLMKitVersion.current,
        subcommands: [List.self, Exec.self, Pending.self, Loop.self]
    )
}

/// Where tools come from and what they may do.
struct ToolOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The tools file (YAML).", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("File tools are confined here (default: the tools file's root:, else the working directory).", valueName: "dir"))
    var root: String?

    @Flag(help: "Let write_file and edit_file write (inside the root).")
    var allowWrite = false

    @Flag(help: "Ask on the terminal before each call; a refusal is the tool's result.")
    var confirm = false

    @Flag(help: "Run command tools, shell and MCP servers in a bubblewrap sandbox: no network, no home, no other processes, only the root writable (with --allow-write).")
    var isolate = false

    @Option(help: ArgumentHelp("Keep at most this many bytes of a tool's output.", valueName: "bytes"))
    var maxOutput = 64 << 10

    @Flag(name: .shortAndLong, help: "Report each call on stderr.")
    var verbose = false

    func toolsFile() throws(LLMError) -> ToolsFile {
        guard let file else { return ToolsFile() }
        return try ToolsFile.load(file)
    }

    func executor(_ tools: ToolsFile, startMCP: Bool) async throws(LLMError) -> ToolExecutor {
        let environment = Environment.current
        let config = try ConfigLoader.load(environment: environment, sendsRequests: false)
        APIKeyResolver.registerEnvironmentKeys(config: config, environment: environment)
        var settings = ToolExecutor.Settings(root: root ?? tools.root ?? FileManager.default.currentDirectoryPath)
        settings.allowWrite = allowWrite
        settings.isolate = isolate
        settings.outputLimit = maxOutput
        settings.environment = environment.values
        do throws(ToolFailure) {
            var mcp: MCPServers?
            if startMCP, !tools.mcpServers.isEmpty {
                let confinement = try Confinement(root: settings.root)
                mcp = try await MCPServers.start(tools.mcpServers, of: tools, environment: environment.values, directory: confinement.root,
                                                 sandbox: ToolExecutor.sandbox(file: tools, settings: settings, root: confinement.root),
                                                 outputLimit: maxOutput, log: Log(tool: "llm-tools", verbose: verbose))
            }
            let ask: (@Sendable (ToolCall) -> Bool)? = confirm ? TerminalConfirmation.ask : nil
            return try ToolExecutor(file: tools, settings: settings, mcp: mcp as (any MCPTools)?, confirm: ask)
        } catch {
            throw LLMError(.configuration, error.message)
        }
    }
}

/// Reads the conversation on stdin (none when stdin is a terminal). With `passOn`, a line
/// that cannot be read still lets the lines before it flow on, ahead of the error record.
func readConversation(passOn: Bool) throws(LLMError) -> Conversation {
    var conversation = Conversation()
    guard !FileDescriptorIO.isTerminal(0) else { return conversation }
    var source = InputSource(reader: LineReader(fd: 0))
    do throws(LLMError) {
        switch try source.start() {
        case .empty: break
        case .text: throw LLMError(.invalidInput, "llm-tools reads a conversation in JSON Lines, not plain text")
        case .records(let first):
            try conversation.add(first)
            while let line = try source.next() { try conversation.add(line) }
        }
    } catch {
        if passOn { passOnLines(of: conversation) }
        throw error
    }
    return conversation
}

/// Runs what comes after reading the conversation; when it fails, the conversation still
/// flows on, ahead of the error record.
func passingOn<T>(_ conversation: Conversation, _ step: () async throws(LLMError) -> T) async throws(LLMError) -> T {
    do throws(LLMError) {
        return try await step()
    } catch {
        passOnLines(of: conversation)
        throw error
    }
}

/// A conversation an earlier stage failed: passed on as it is, ending with its status.
func passOn(_ conversation: Conversation, _ failure: LLMError, _ log: Log) -> ExitStatus {
    passOnLines(of: conversation)
    log.error(failure)
    return failure.exitStatus
}

private func passOnLines(of conversation: Conversation) {
    for line in conversation.lines { try? RecordWriter.standardOutput.writeLine(line.raw) }
}

/// Runs a subcommand body with the one place errors are rendered, and owns what a process
/// must decide for itself: non-dumpable (tools cannot read our keys), the reaper of every
/// orphaned descendant, and on SIGINT, SIGTERM or SIGHUP: the results that completed, an
/// `interrupted` error record, every descendant killed, exit 130.
func runTool(_ verbose: Bool, records: Bool = true, _ body: (Log, FinishedResults) async throws(LLMError) -> ExitStatus) async -> Never {
    await runTool(verbose, records: records, endingWithCode: { (log, finished) throws(LLMError) in
        try await body(log, finished).rawValue
    })
}

/// The same, for a body that may end with a status outside llmkit's set: `loop` ends
/// with its model command's.
func runTool(_ verbose: Bool, records: Bool = true,
             endingWithCode body: (Log, FinishedResults) async throws(LLMError) -> Int32) async -> Never {
    FileDescriptorIO.ignoreSigpipe()
    ProcessTree.makeNonDumpable()
    ProcessTree.becomeSubreaper()
    let log = Log(tool: "llm-tools", verbose: verbose)
    let finished = FinishedResults()
    Interruption.onSignal { _ in
        let error: LLMError
        var last: [JSONObject] = []
        if let completed = finished.take() {
            last = completed.messages.map(\.record)
            error = LLMError(.interrupted, "interrupted; \(completed.written + completed.messages.count) finished tool result(s) were written, running tools were stopped")
        } else {
            error = LLMError(.interrupted, "interrupted while nothing read the output; running tools were stopped")
        }
        RecordWriter.standardOutput.seal(with: last + [error.record])
        ProcessTree.killAllDescendants()
        log.error(error)
        Interruption.exit(.interrupted)
    }
    let code: Int32
    do throws(LLMError) {
        code = try await body(log, finished)
    } catch {
        log.error(error)
        if records { try? RecordWriter.standardOutput.write(error.record) }
        code = error.exitStatus.rawValue
    }
    ProcessTree.killAllDescendants()
    Interruption.exitUnlessInterrupted(code: code)
}

extension LLMTools {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a tools record for the model (or, with -t, a table for a person).",
            discussion: "Input records, if any, are copied first. MCP servers are started to ask for their tools.")

        @OptionGroup var options: ToolOptions

        @Flag(name: .shortAndLong, help: "A table for a person instead of a record.")
        var text = false

        func run() async throws {
            await runTool(options.verbose, records: !text) { _, _ throws(LLMError) in
                let conversation = try readConversation(passOn: !text)
                let executor = try await passingOn(text ? Conversation() : conversation) { () async throws(LLMError) in
                    try await options.executor(try options.toolsFile(), startMCP: true)
                }
                let output = RecordWriter.standardOutput
                if text {
                    let width = executor.definitions.map { TerminalText.escaped($0.name).count }.max() ?? 0
                    for tool in executor.definitions {
                        // For a person's terminal: one line per tool, and no escape sequences.
                        let description = (tool.description ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
                        try output.writeText(TerminalText.escaped(tool.name).padding(toLength: width + 2, withPad: " ", startingAt: 0)
                                             + TerminalText.escaped(description) + "\n")
                    }
                } else {
                    for line in conversation.lines { try output.writeLine(line.raw) }
                    try output.write(ToolDefinition.record(executor.definitions))
                }
                await executor.shutdown()
                return .success
            }
        }
    }

    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the tool calls of the last assistant message that have no result yet.",
            discussion: "Copies the conversation, then appends one tool message per call, in call order.")

        @OptionGroup var options: ToolOptions

        @Option(name: .shortAndLong, help: "Calls to run at once.")
        var jobs = 4

        func run() async throws {
            await runTool(options.verbose) { log, finished throws(LLMError) in
                let conversation = try readConversation(passOn: true)
                if let failure = conversation.upstreamFailure { return passOn(conversation, failure, log) }
                let pending = PendingCalls.of(conversation.messages)
                let executor = try await passingOn(conversation) { () async throws(LLMError) in
                    try await options.executor(try options.toolsFile(), startMCP: !pending.isEmpty)
                }
                try await ToolsRun(executor: executor, jobs: jobs, log: log, finished: finished).exec(conversation)
                await executor.shutdown()
                return .success
            }
        }
    }

    struct Pending: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Exit 0 if the last assistant message has tool calls with no result, 1 if not.",
            discussion: "Writes nothing, so shell can drive a loop: while llm-tools pending < chat.jsonl; do ...; done")

        func run() async throws {
            await runTool(false, records: false) { _, _ throws(LLMError) in
                PendingCalls.of(try readConversation(passOn: false).messages).isEmpty ? .checkFailed : .success
            }
        }
    }

    struct Loop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Alternate a model command and tool calls until the model answers.",
            discussion: """
                The conversation goes into COMMAND (e.g. llm-complete -m ... or llm-stream --show -m ...), \
                the tool calls in its reply are run, and so on, until a reply has no tool calls or \
                --max-turns model turns have run (exit 1). The whole transcript goes to stdout. \
                An input without a tools record gets the tools file's (with MCP servers' tools) \
                as its first line, so the model is told what it may call.
                """)

        @OptionGroup var options: ToolOptions

        @Option(name: .shortAndLong, help: "Calls to run at once.")
        var jobs = 4

        @Option(help: "The most model turns to run.")
        var maxTurns = 10

        @Option(help: ArgumentHelp("Seconds one model step may take before it is stopped (exit 75).", valueName: "seconds"))
        var modelTimeout: Double = 600

        @Argument(parsing: .postTerminator, help: "The model command, after --.")
        var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else { throw ValidationError("give the model command after --, e.g. -- llm-complete -m ollama/qwen3") }
            guard maxTurns >= 1 else { throw ValidationError("--max-turns must be at least 1") }
            guard modelTimeout > 0, modelTimeout <= RequestOptions.maxSeconds else { throw ValidationError("--model-timeout must be a positive number of seconds") }
        }

        func run() async throws {
            await runTool(options.verbose, endingWithCode: { log, finished throws(LLMError) -> Int32 in
                let conversation = try readConversation(passOn: true)
                if let failure = conversation.upstreamFailure { return passOn(conversation, failure, log).rawValue }
                let executor = try await passingOn(conversation) { () async throws(LLMError) in
                    try await options.executor(try options.toolsFile(), startMCP: true)
                }
                let code = try await ToolsRun(executor: executor, jobs: jobs, log: log, finished: finished).loop(conversation, command: command, maxTurns: maxTurns, modelTimeout: modelTimeout)
                await executor.shutdown()
                return code
            })
        }
    }
}
