import ArgumentParser
import LLMKit

@main
struct LLMComplete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-complete",
        abstract: "Ask a model for the next message of a conversation, or answer a batch of requests.",
        discussion: """
            Input (stdin) is plain text, which becomes the prompt, or JSON Lines: a \
            conversation of OpenAI chat messages (with optional "tools" and "options" \
            records), or batch request lines ({"id":...,"messages":[...]} or OpenAI Batch API \
            lines). A conversation is copied to stdout followed by the new assistant \
            message, so stages chain; a batch gives one result line per request, in order.

            Models are provider/model (ollama/llama3.2, openai/gpt-4o-mini, \
            llamacpp/default, mock/echo) or an alias from the config file \
            ($LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml). Settings come \
            from flags, then LLMKIT_MODEL / LLMKIT_TIMEOUT / LLMKIT_API_BASE, then an \
            "options" record in the input, then the config file.

            Examples:
              llm-complete -m ollama/llama3.2 -t "Name three Unix philosophers"
              git diff | llm-complete -t -m openai/gpt-4o-mini "Write a commit message for this diff"
              llm-complete -m mock/echo "hello" | llm-complete -m ollama/qwen3 "Now say it in French"
              llm-complete -j 8 -m groq/llama-3.1-8b-instant < requests.jsonl > results.jsonl
              llm-complete --dry-run -m openai/gpt-4o-mini "hi"

            Exit status: 0 success, 64 bad command line, 65 bad input or a reply that \
            does not fit --schema, 69 server unreachable or model missing, 75 rate \
            limited or timed out after retries, 77 missing or rejected API key, 78 bad \
            configuration. In batch mode, the status of the first failed request.
            """,
        version: LLMKitVersion.current
    )

    @Argument(help: "The prompt. With text on stdin too, the text comes first and the prompt follows it.")
    var prompt: [String] = []

    @Option(name: .shortAndLong, help: "The model: provider/model, or an alias from the config.")
    var model: String?

    @Option(name: .shortAndLong, help: "A system prompt; replaces the conversation's own.")
    var system: String?

    @Option(help: "Sampling temperature.")
    var temperature: Double?

    @Option(help: "The most tokens the reply may have.")
    var maxTokens: Int?

    @Option(help: "A sequence that ends the reply (repeatable).")
    var stop: [String] = []

    @Option(help: "A seed, for reproducible sampling where the server supports it.")
    var seed: Int?

    @Option(help: ArgumentHelp("A JSON Schema file: the reply must be JSON that fits it.", valueName: "file"))
    var schema: String?

    @Option(help: ArgumentHelp("A tools file (YAML or JSON): definitions the model may call.", valueName: "file"))
    var tools: String?

    @Option(help: ArgumentHelp("Seconds to wait for a whole reply (default: no limit).", valueName: "seconds"))
    var timeout: Double?

    @Option(help: ArgumentHelp("Send this request to another endpoint (e.g. http://127.0.0.1:8081/v1).", valueName: "url"))
    var apiBase: String?

    @Option(help: ArgumentHelp("The JSONL file of replies mock/script plays back.", valueName: "file"))
    var mockScript: String?

    @Option(help: ArgumentHelp("The config file (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).", valueName: "file"))
    var config: String?

    @Option(name: .shortAndLong, help: "Batch requests to run at once.")
    var jobs: Int = 1

    @Option(help: "Retries after a rate limit, overload or server error.")
    var retries: Int = 2

    @Flag(name: .shortAndLong, help: "Write only the reply text, not JSON records.")
    var text = false

    @Flag(help: "Print the HTTP request that would be sent (keys redacted) and exit.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Report progress on stderr.")
    var verbose = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
    }

    func run() async throws {
        FileDescriptorIO.ignoreSigpipe()
        let log = Log(tool: "llm-complete", verbose: verbose)
        let status: ExitStatus
        do throws(LLMError) {
            status = try await CompleteTool(completer: makeCompleter(log: log), settings: makeSettings(log: log), log: log).run()
        } catch {
            log.error(error)
            status = error.exitStatus
        }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    private func makeCompleter(log: Log) throws(LLMError) -> Completer {
        let environment = Environment.current
        let config = try ConfigLoader.load(environment: environment, explicitPath: self.config)
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
        return Completer(
            config: config,
            factory: ProviderFactory(config: config, environment: environment, mockScript: mockScript),
            flags: flags,
            environmentOptions: try RequestOptions(environment: environment),
            retry: RetryPolicy(maxRetries: retries),
            log: log)
    }

    private func makeSettings(log: Log) throws(LLMError) -> CompleteTool.Settings {
        var settings = CompleteTool.Settings()
        settings.prompt = prompt.isEmpty ? nil : prompt.joined(separator: " ")
        settings.tools = try tools.map { path throws(LLMError) in try ToolsFile.load(path, log: log) }
        settings.textOutput = text
        settings.jobs = jobs
        settings.dryRun = dryRun
        settings.readStandardInput = !FileDescriptorIO.isTerminal(0)
        return settings
    }
}
