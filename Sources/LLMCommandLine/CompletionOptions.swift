import ArgumentParser
import LLMKit

/// The flags every command that asks a model for a reply shares (`llm-complete`,
/// `llm-stream`), and how they become a running `CompleteTool`.
public struct CompletionOptions: ParsableArguments {
    @Argument(help: "The prompt. With text on stdin too, the text comes first and the prompt follows it.")
    public var prompt: [String] = []

    @Option(name: .shortAndLong, help: "The model: provider/model, or an alias from the config.")
    public var model: String?

    @Option(name: .shortAndLong, help: "A system prompt; replaces the conversation's own.")
    public var system: String?

    @Option(help: "Sampling temperature.")
    public var temperature: Double?

    @Option(help: "The most tokens the reply may have.")
    public var maxTokens: Int?

    @Option(help: "A sequence that ends the reply (repeatable).")
    public var stop: [String] = []

    @Option(help: "A seed, for reproducible sampling where the server supports it.")
    public var seed: Int?

    @Option(help: ArgumentHelp("A JSON Schema file: the reply must be JSON that fits it.", valueName: "file"))
    public var schema: String?

    @Option(help: ArgumentHelp("A tools file (YAML or JSON): definitions the model may call.", valueName: "file"))
    public var tools: String?

    @Option(help: ArgumentHelp("Seconds to wait for a whole reply (default: no limit).", valueName: "seconds"))
    public var timeout: Double?

    @Option(help: ArgumentHelp("""
        Give up when the server sends nothing for this long (default: 120 s when streaming, \
        600 s otherwise: a reply that is not streamed is silent until it is done, and a local \
        server may first load its weights). Connecting has its own 10 s limit.
        """, valueName: "seconds"))
    public var idleTimeout: Double?

    @Option(help: ArgumentHelp("Send this request to another endpoint (e.g. http://127.0.0.1:8081/v1).", valueName: "url"))
    public var apiBase: String?

    @Option(help: ArgumentHelp("The JSONL file of replies mock/script plays back.", valueName: "file"))
    public var mockScript: String?

    @Option(help: ArgumentHelp("The config file (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).", valueName: "file"))
    public var config: String?

    @Option(name: .shortAndLong, help: "Batch requests to run at once.")
    public var jobs: Int = 1

    @Option(help: ArgumentHelp("A tag written on every reply, for llm-cost --by tag (which job spent it).", valueName: "text"))
    public var tag: String?

    @Option(help: "Retries after a rate limit, overload or server error.")
    public var retries: Int = 2

    @Option(help: ArgumentHelp("A model to try when the model fails after its retries (repeatable, tried in order; replaces the config's fallbacks for it).", valueName: "model"))
    public var fallback: [String] = []

    @Option(help: ArgumentHelp("A tag for the routing rules of a router (-m auto): rules with when: {route: TAG} match it.", valueName: "tag"))
    public var route: String?

    @Flag(help: "Use only local models (loopback servers, cmd, mock): a request whose model and fallbacks are all remote fails at once (exit 69).")
    public var offline = false

    @Flag(help: "Say on stderr which routing rule chose the model, and each fallback taken.")
    public var explain = false

    @Flag(help: "When a stream breaks after part of the reply was written, start it over (on a retry or a fallback) instead of keeping the part; a restart record says so.")
    public var retryPartial = false

    @Flag(name: .shortAndLong, help: "Write only the reply text, not JSON records.")
    public var text = false

    @Flag(help: "Print the HTTP request that would be sent (keys redacted) and exit.")
    public var dryRun = false

    @Flag(help: "List every provider: its endpoint, where its key comes from and whether it is set (never the key), and what it supports. With -t, a table.")
    public var listProviders = false

    @Flag(name: .shortAndLong, help: "Report progress on stderr.")
    public var verbose = false

    public init() {}

    public func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
        if retryPartial, text { throw ValidationError("--retry-partial cannot take back text that -t already wrote; without -t, a restart record voids it") }
        if let timeout, !(timeout > 0 && timeout <= RequestOptions.maxSeconds) { throw ValidationError("--timeout must be a positive number of seconds") }
        if let idleTimeout, !(idleTimeout > 0 && idleTimeout <= RequestOptions.maxSeconds) {
            throw ValidationError("--idle-timeout must be a positive number of seconds")
        }
        if let temperature, !(temperature >= 0 && temperature.isFinite) { throw ValidationError("--temperature must be a finite number, 0 or more") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if let apiBase {
            do { _ = try ParsedURL(apiBase) } catch { throw ValidationError("--api-base: \(error)") }
        }
    }

    /// Builds the tool from the flags and runs it; `adjust` sets what only one command has.
    public func run(tool name: String, adjust: (inout RequestOptions, inout CompleteTool.Settings) -> Void = { _, _ in }) async -> Never {
        FileDescriptorIO.ignoreSigpipe()
        // Other processes of this user (a tool in a pipeline) cannot read our memory, where the keys are.
        ProcessTree.makeNonDumpable()
        // A model runner (cmd/NAME) and whatever it starts stay ours to end, however we end.
        ProcessTree.becomeSubreaper()
        var log = Log(tool: name, verbose: verbose)
        log.explains = explain
        let status: ExitStatus
        do throws(LLMError) {
            if listProviders { Interruption.exitUnlessInterrupted(try self.listAllProviders()) }
            var flags = try requestOptions()
            var settings = try toolSettings(log: log)
            adjust(&flags, &settings)
            flags.idleTimeout = idleTimeout ?? (settings.stream ? 120 : 600)
            let tool = CompleteTool(completer: try completer(flags: flags, log: log), settings: settings, log: log)
            Self.endOnSignals(tool)
            status = await tool.run()
        } catch {
            log.error(error)
            // Setting up failed before any input was read: the failure is the output.
            if !text, !dryRun, error.kind != .usage { try? RecordWriter.standardOutput.write(error.record) }
            status = error.exitStatus
        }
        ProcessTree.killAllDescendants()
        Interruption.exitUnlessInterrupted(status)
    }

    /// SIGINT, SIGTERM and SIGHUP alike: what was received is written, then an
    /// `interrupted` error record; exit 130.
    private static func endOnSignals(_ tool: CompleteTool) {
        Interruption.onSignal { _ in
            let (records, error) = tool.inFlight.lastWords(textOutput: tool.settings.textOutput)
            if tool.settings.show { StandardError.write("\n") }
            tool.log.error(error)
            tool.output.seal(with: records)
            ProcessTree.killAllDescendants()
            Interruption.exit(.interrupted)
        }
    }

    private func listAllProviders() throws(LLMError) -> ExitStatus {
        let environment = Environment.current
        let config = try ConfigLoader.load(environment: environment, explicitPath: self.config)
        APIKeyResolver.registerEnvironmentKeys(config: config, environment: environment)
        let records = ProviderListing.records(config: config, environment: environment)
        let output = RecordWriter.standardOutput
        if text {
            try output.writeText(ProviderListing.table(records))
        } else {
            for record in records { try output.write(record) }
        }
        return .success
    }

    private func requestOptions() throws(LLMError) -> RequestOptions {
        var flags = RequestOptions()
        flags.model = model
        flags.system = system
        flags.temperature = temperature
        flags.maxTokens = maxTokens
        flags.stop = stop.isEmpty ? nil : stop
        flags.seed = seed
        flags.timeout = timeout
        flags.apiBase = apiBase
        flags.schema = try schema.map { path throws(LLMError) in try SchemaFile.load(path) }
        return flags
    }

    private func completer(flags: RequestOptions, log: Log) throws(LLMError) -> Completer {
        var completer = try Completer.configured(configPath: config, mockScript: mockScript, flags: flags, retries: retries, log: log,
                                                 credentials: !dryRun)
        completer.tag = tag
        completer.router.fallbacks = fallback
        completer.router.tag = route
        completer.router.offline = offline
        completer.retryPartial = retryPartial
        return completer
    }

    private func toolSettings(log: Log) throws(LLMError) -> CompleteTool.Settings {
        var settings = CompleteTool.Settings()
        settings.prompt = prompt.isEmpty ? nil : prompt.joined(separator: " ")
        settings.tools = try tools.map { path throws(LLMError) in try ToolsFile.load(path).localDefinitions }
        settings.textOutput = text
        settings.jobs = jobs
        settings.dryRun = dryRun
        settings.readStandardInput = !FileDescriptorIO.isTerminal(0)
        return settings
    }
}
