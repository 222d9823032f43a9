import ArgumentParser
import Foundation
import LLMCommandLine
import LLMKit

@main
struct LLMCost: LLMCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-cost",
        abstract: "Turn the usage in llmkit records into money: totals, per-message costs and budgets.",
        discussion: """
            Reads records (transcripts, batch results, llm-stream output, months of logs) and \
            prices every assistant message by its model and normalized usage. By default it \
            writes one {"type":"cost",...} summary (with -t, a table); --annotate passes every \
            record through, adding "cost" to each assistant message; --estimate prices request \
            lines not yet sent, at their worst case.

            Prices: a built-in table (LiteLLM's prices for OpenAI, Anthropic, Gemini, Groq, \
            xAI, Mistral and DeepSeek; the summary's "prices" names its source and version), \
            then the config's prices: section, then each --prices FILE: LiteLLM's \
            model_prices_and_context_window.json, or our own form {"model": {"input": 3, \
            "output": 15, "cache_read": 0.3, "cache_write": 3.75, "reasoning": 15}} in US \
            dollars per million tokens. {"gpu-box/*": {"per_hour": 2.5}} prices every model of \
            a provider by the hour, spread over each request's wall time (timings.total_ms): a \
            rented GPU. Local providers (ollama, llamacpp, vllm, ...) cost 0 unless priced. A \
            model with no price is reported as unpriced, never counted as free.

            Cost rules: uncached input = input - cache reads - cache writes; each part at its \
            own price (a part with no price of its own at the input price); reasoning tokens \
            at the output price unless priced apart; when the prompt crosses a long-context \
            tier (e.g. above 200k tokens), the whole request at that tier's rates, as the \
            providers and LiteLLM do. Cache writes at the 5-minute rate, or the 1-hour rate for \
            the part the usage reports as cache_write_1h_tokens (Anthropic's \
            ephemeral_1h_input_tokens). Where LiteLLM's cost_per_token \
            differs (make crosscheck-cost: 99.5% of 4,452 cases agree to the cent with \
            LiteLLM 1.106.2), it is by rules in its code, not its price file, which llmkit \
            follows: it prices Gemini's experimental models at 0 and DeepSeek's V4 and flash \
            models at half; and some LiteLLM versions counted cached tokens both as input and \
            as cache reads, where llmkit counts each token once.

            Grouping (--by): model, provider, id (the batch line's), tag (llm-complete --tag), \
            day or hour (local time; TZ=UTC for UTC) from the "created" time every reply \
            carries; days and hours are listed in time order.

            Budgets: --budget USD exits 1 when the total is over it, saying by how much. With \
            --ledger FILE each run appends its spend (one JSON line, under a lock, so that \
            runs at once neither lose nor double an entry) and the budget applies to the \
            ledger's total over --period day, month or all: a run with no input only checks.

            Estimates: request lines ({"messages":...} or OpenAI Batch lines with "body") are \
            priced with their prompt approximated, as no tokenizer ships: a token per 4 bytes \
            of UTF-8 text, 4 per message, 3 for the reply, an image 1,000 (English prose within \
            about 10%; code and other scripts run higher) and their output at max_tokens. \
            Message lines are one conversation, estimated as one request.

            Examples:
              llm-complete -m anthropic/claude-sonnet-4-5 "hi" | llm-cost -t
              llm-cost --by day -t < cron.jsonl
              cat batch-results.jsonl | llm-cost --annotate | llm-cost -t
              llm-cost --estimate --max-tokens 500 -t < batch.jsonl
              llm-cost --ledger ~/spend.jsonl --period month --budget 50 < /dev/null || exit
              llm-complete --tag nightly < job.jsonl | llm-cost --ledger ~/spend.jsonl --budget 50 --period month

            \(HelpTable.exitStatus([
                (.success, "success, and within --budget"),
                (.checkFailed, "over --budget, or the budget cannot be checked because some model has no price"),
                (.usage, "bad command line"),
                (.dataError, "a line carrying \"usage\" that is not JSON (unless --keep-going; lines without \"usage\" are passed over unread), or a broken ledger line"),
                (.ioError, "a file cannot be read or written"),
                (.temporaryFailure, "the ledger stayed locked for 30 s"),
                (.configuration, "a price file or the config cannot be read"),
            ]).text)

            \(HelpTable("Environment", SharedHelp.configEnvironment + [
                .init("TZ", "the time zone of --by day and --by hour (TZ=UTC for UTC)"),
            ]).text)

            \(HelpTable("Files", [
                .init("--ledger FILE", "one JSON line per run: its spend, appended under a lock"),
                .init("--prices FILE", "LiteLLM's model_prices_and_context_window.json, or llmkit's own price form"),
                SharedHelp.configFile,
            ]).text)
            """,
        version: LLMKitVersion.current
    )

    @Argument(help: ArgumentHelp("Files to read (default: stdin).", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Pass every record through, adding cost to each assistant message.")
    var annotate = false

    @Option(help: ArgumentHelp("Group totals by model, provider, id, tag, day or hour.", valueName: "key"))
    var by: CostTally.Grouping = .model

    @Option(help: ArgumentHelp("Exit 1 when the total is over this many US dollars.", valueName: "usd"))
    var budget: Double?

    @Option(help: ArgumentHelp("Append this run's spend to a ledger file; --budget then applies to the ledger's total.", valueName: "file"))
    var ledger: String?

    @Option(help: ArgumentHelp("The ledger's span that --budget applies to: day, month or all (local time).", valueName: "period"))
    var period: Ledger.Period?

    @Option(help: ArgumentHelp("A price file (LiteLLM's JSON or ours); repeatable, later files win.", valueName: "file"))
    var prices: [String] = []

    @Flag(help: "Price request lines not yet sent at their worst case: prompt tokens approximated, output at max_tokens.")
    var estimate = false

    @Option(name: .shortAndLong, help: ArgumentHelp("With --estimate: the model of requests that name none.", valueName: "model"))
    var model: String?

    @Option(help: ArgumentHelp("With --estimate: the max_tokens of requests that set none.", valueName: "n"))
    var maxTokens: Int?

    @Option(help: ArgumentHelp("The config file, for its prices: (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).", valueName: "file"))
    var config: String?

    @Flag(help: "Skip lines that are not JSON (counted) instead of stopping.")
    var keepGoing = false

    @Flag(name: .shortAndLong, help: "A table for a person instead of a record.")
    var text = false

    func validate() throws {
        if let budget, !(budget >= 0 && budget.isFinite) { throw ValidationError("--budget must be a number of US dollars, 0 or more") }
        if period != nil && ledger == nil { throw ValidationError("--period needs --ledger FILE") }
        if !estimate && (model != nil || maxTokens != nil) { throw ValidationError("-m and --max-tokens go with --estimate") }
        if estimate && (annotate || ledger != nil) { throw ValidationError("--estimate prices requests not yet sent: it takes neither --annotate nor --ledger") }
        if let maxTokens, maxTokens < 0 { throw ValidationError("--max-tokens must be 0 or more") }
        if annotate && text { throw ValidationError("--annotate writes records; use -t on a second llm-cost") }
    }

    func run() async throws {
        FileDescriptorIO.ignoreSigpipe()
        let log = Log(tool: "llm-cost", verbose: false)
        let status: ExitStatus
        do throws(LLMError) {
            status = try tally(log: log)
        } catch {
            log.error(error)
            // Whatever was written (annotated records) stays; the failure follows as a record.
            if !text { try? RecordWriter.standardOutput.write(error.record) }
            status = error.exitStatus
        }
        Interruption.exitUnlessInterrupted(status)
    }

    private func tally(log: Log) throws(LLMError) -> ExitStatus {
        var table = PriceTable.builtin
        let config = try ConfigLoader.load(environment: Environment.current, explicitPath: self.config, sendsRequests: false)
        if let own = config.prices { try table.add(ownFormat: own, source: config.path ?? "config") }
        for path in prices {
            if try table.add(contentsOf: path) == 0 { log.note("price file \(path) has no token prices") }
        }
        var tally = estimate ? CostTally(estimating: table, grouping: by, model: model, maxTokens: maxTokens) : CostTally(prices: table, grouping: by)
        let output = RecordWriter.standardOutput
        var skipped = 0
        // What was spent is entered in the ledger even when a later line stops the run.
        // (A failure comes back as a value, not through a do/catch around this inout call:
        // Swift 6.3 miscompiles that shape in release builds, crashing as the tally is freed.)
        if let failure = read(into: &tally, output: output, skipped: &skipped) {
            if let ledger {
                do throws(LLMError) {
                    _ = try Ledger(path: ledger).append(usd: tally.total.cost.total, requests: tally.total.requests, period: period ?? .all)
                } catch {
                    log.note(String(format: "$%.6f spent before the failure is not in the ledger: ", tally.total.cost.total) + error.message)
                }
            }
            throw failure
        }
        tally.finish()
        if skipped > 0 { log.note("skipped \(skipped) line\(skipped == 1 ? "" : "s") that were not JSON records") }
        if !tally.unpriced.isEmpty {
            log.note("no price for " + tally.unpriced.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ") + ": add it with --prices FILE")
        }
        if tally.unbounded > 0 {
            log.note("\(tally.unbounded) request\(tally.unbounded == 1 ? "" : "s") set no max_tokens: only the prompt is counted (give --max-tokens N)")
        }
        var spent = tally.total.cost.total, span = ""
        if let ledger {
            let period = period ?? .all
            let entered = try Ledger(path: ledger).append(usd: spent, requests: tally.total.requests, period: period)
            if let line = entered.cutShort { log.note("ledger \(ledger) line \(line) was cut short (a crash mid-write?): removed") }
            spent = entered.usd
            tally.ledger = (period, spent)
            span = " \(period.phrase) (ledger \(ledger))"
        }
        if !annotate {
            if text { try output.writeText(tally.table) } else { try output.write(tally.record) }
        }
        // Money is compared in millionths of a dollar: a sum of floating-point parts must not
        // be "over" a budget it exactly meets.
        if budget != nil, !tally.unpriced.isEmpty {
            let count = tally.unpriced.values.reduce(0, +)
            log.note("cannot check the budget: \(count) request\(count == 1 ? "" : "s") of models with no price (not entered in a ledger either)")
            return .checkFailed
        }
        if let budget, !(spent.isFinite && (spent * 1e6).rounded() <= (budget * 1e6).rounded()) {
            let digits = spent - budget < 0.0001 ? 6 : 4
            log.note(String(format: "over budget by $%.\(digits)f: spent $%.\(digits)f of $%.\(digits)f", spent - budget, spent, budget) + span)
            return .checkFailed
        }
        return .success
    }

    private func read(into tally: inout CostTally, output: RecordWriter, skipped: inout Int) -> LLMError? {
        do throws(LLMError) {
            try readLines(into: &tally, output: output, skipped: &skipped)
            return nil
        } catch {
            return error
        }
    }

    private func readLines(into tally: inout CostTally, output: RecordWriter, skipped: inout Int) throws(LLMError) {
        let inputs = files.isEmpty ? ["-"] : files
        for path in inputs {
            let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw LLMError(.ioError, "cannot read \(path): \(String(cString: strerror(errno)))") }
            defer { if fd != 0 { close(fd) } }
            var reader = LineReader(fd: fd)
            var number = 0
            while let line = try reader.next() {
                number += 1
                do {
                    if let out = try tally.add(line: line, number: number, annotate: annotate) { try output.writeLine(out) }
                } catch where keepGoing && error.kind == .invalidInput {
                    skipped += 1
                    if annotate { try output.writeLine(line) }
                } catch {
                    throw LLMError(error.kind, (files.isEmpty ? "" : "\(path): ") + error.message)
                }
            }
        }
    }
}

extension CostTally.Grouping: ExpressibleByArgument {}
extension Ledger.Period: ExpressibleByArgument {}
