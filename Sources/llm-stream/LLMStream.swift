import ArgumentParser
import LLMCommandLine
import LLMKit

@main
struct LLMStream: LLMCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-stream",
        abstract: "Ask a model for the next message of a conversation, and write it as it is generated.",
        discussion: """
            Takes the same input, flags, configuration and exit statuses as llm-complete. \
            The output is the input records, then {"type":"delta",...} records as pieces \
            of the reply arrive (content, reasoning, tool_call fragments), then the whole \
            assistant message — so `llm-stream | llm-tools exec` works like llm-complete. \
            With -t, only the reply text, written the moment it arrives.

            Nothing received is lost: on Ctrl-C, a dropped connection, a stall longer than \
            --idle-timeout or a server error mid-stream, the text so far is still written \
            as the assistant message, with finish_reason "interrupted" or "error" and an \
            error record (exit 130, 69 or 75). Batch input is answered as llm-complete does.

            Fallbacks and retries follow the same rule: they are tried only while nothing \
            has been written, since once text is out they would repeat it. With \
            --retry-partial, a stream cut short is started over instead (on a retry or the \
            next fallback): a {"type":"restart",...} record says that the deltas before it \
            are void, and the final message holds only the new reply.

            Security: as llm-complete. Keys are masked in deltas, -t text and --show too, \
            even when a server splits one across pieces: a piece that could start a key \
            waits until the next shows whether it does.

            A lone `help` prints this help and asks no model; to send the word "help" as \
            the prompt, write `-- help`.

            Examples:
              llm-stream -t -m ollama/llama3.2 "Count to ten"
              llm-stream --show -m llamacpp/default < chat.jsonl > transcript.jsonl
              llm-stream -m openai/gpt-4o-mini "Tell a story" | grep '"type":"delta"' | head
              llm-stream -t -m anthropic/claude-sonnet-4-5 "Explain RAID 5"
              llm-stream -t -m cmd/llama "Summarize" < notes.txt     # a runner from the config
              llm-stream --list-providers -t
              llm-stream -m llamacpp/default --fallback openai/gpt-4o-mini --retry-partial "hi"

            \(HelpTable.exitStatus([(.success, "success")] + SharedHelp.requestStatuses,
                                   note: "A reply cut short by a signal, a dropped connection or a stall is still written, before the status.").text)

            \(HelpTable("Environment", SharedHelp.requestEnvironment).text)

            \(HelpTable("Files", [SharedHelp.configFile]).text)

            \(ErrorCatalog.manual)
            """,
        version: LLMKitVersion.current
    )

    @OptionGroup var options: CompletionOptions

    @Flag(help: "Also write the reply text to stderr as it arrives, to watch a pipeline.")
    var show = false

    func run() async throws {
        await options.run(tool: "llm-stream") { flags, settings in
            settings.stream = true
            settings.show = show
        }
    }
}
