import ArgumentParser
import LLMCommandLine
import LLMKit

@main
struct LLMComplete: LLMCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-complete",
        abstract: "Ask a model for the next message of a conversation, or answer a batch of requests.",
        discussion: """
            Input (stdin) is plain text, which becomes the prompt, or JSON Lines: a \
            conversation of OpenAI chat messages (with optional "tools" and "options" \
            records), or batch request lines ({"id":...,"messages":[...]} or OpenAI Batch API \
            lines). A conversation is copied to stdout followed by the new assistant \
            message, so stages chain; a batch gives one result line per request, in order.

            Models are provider/model (ollama/llama3.2, ollama_chat/qwen3, openai/gpt-4o-mini, \
            anthropic/claude-sonnet-4-5, gemini/gemini-2.5-flash, llamacpp/default, cmd/NAME for \
            a program declared in the config, mock/echo) or an alias from the config file \
            ($LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml). Settings come \
            from flags, then LLMKIT_MODEL / LLMKIT_TIMEOUT / LLMKIT_API_BASE, then an \
            "options" record in the input, then the config file.

            A lone `help` prints this help and asks no model; to send the word "help" as \
            the prompt, write `-- help`.

            Examples:
              llm-complete -m ollama/llama3.2 -t "Name three Unix philosophers"
              git diff | llm-complete -t -m openai/gpt-4o-mini "Write a commit message for this diff"
              llm-complete -m mock/echo "hello" | llm-complete -m ollama/qwen3 "Now say it in French"
              llm-complete -j 8 -m groq/llama-3.1-8b-instant < requests.jsonl > results.jsonl
              llm-complete --dry-run -m openai/gpt-4o-mini "hi"
              llm-complete --list-providers -t
              llm-complete -m openai/gpt-4o --fallback anthropic/claude-sonnet-4-5 --fallback ollama/qwen3 "hi"
              llm-complete -m auto --explain --route cheap "Summarize this" < notes.txt
              llm-complete --batch-api -m openai/gpt-4o-mini < requests.jsonl > results.jsonl
              llm-complete --batch-api --detach -m anthropic/claude-haiku-4-5 < requests.jsonl > job.jsonl
              llm-complete --resume job.jsonl > results.jsonl

            Routing (config file): fallbacks: maps a model to the models tried after it \
            fails; routes: defines routers such as auto, each a list of rules (model, \
            when: {tools, images, max_input_tokens, min_input_tokens, route}) where the \
            first that holds chooses; context_windows: lets a context overflow fall back \
            to a larger model; prefer: local tries local models first, and alone without a \
            network. A provider's api_base may be a list of replicas: requests go to the \
            one with the fewest in flight, and one that fails sits out its cooldown \
            (seconds, default 30) until it passes a health check. The reply records model \
            (the one that answered), fallback_from and route.

            Security: input records choose what to ask, never where or as whom: a record \
            with api_base, base_url, url, headers or a key is refused (exit 65). Only http \
            and https are spoken and redirects are not followed. Every key llmkit reads, and \
            every provider key variable that is set, is masked as [REDACTED] in everything \
            written to stdout and stderr, and this process is not dumpable.

            \(HelpTable.exitStatus([(.success, "success")] + SharedHelp.requestStatuses,
                                   note: "In batch mode, the status of the first failed request.").text)

            \(HelpTable("Environment", SharedHelp.requestEnvironment).text)

            \(HelpTable("Files", [SharedHelp.configFile]).text)

            \(ErrorCatalog.manual)
            """,
        version: LLMKitVersion.current
    )

    @OptionGroup var options: CompletionOptions

    @Flag(help: "Send the batch lines to the provider's own batch service (OpenAI Batch API, Anthropic Message Batches) as one job, at about half the price; results come within a day, written as -j writes them.")
    var batchAPI = false

    @Flag(help: "With --batch-api: print the job record and exit instead of waiting; collect the results later with --resume.")
    var detach = false

    @Option(help: ArgumentHelp("Wait for the provider batch whose job record (from --detach, or written when a wait is stopped) FILE holds, and write its results.", valueName: "file"))
    var resume: String?

    @Option(help: ArgumentHelp("Seconds between checks on a provider batch.", valueName: "seconds"))
    var pollInterval: Double = 30

    func validate() throws {
        if detach, !batchAPI { throw ValidationError("--detach goes with --batch-api") }
        if options.dryRun, resume != nil { throw ValidationError("--dry-run shows requests without sending them; --resume collects a batch from its service") }
        guard pollInterval >= 0.05, pollInterval <= 3600 else { throw ValidationError("--poll-interval must be from 0.05 to 3600 seconds") }
    }

    func run() async throws {
        await options.run(tool: "llm-complete") { _, settings in
            settings.batchAPI = batchAPI
            settings.detach = detach
            settings.resume = resume
            settings.pollInterval = pollInterval
        }
    }
}
