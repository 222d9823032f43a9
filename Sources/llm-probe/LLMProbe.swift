import ArgumentParser
import Foundation
import LLMCommandLine
import LLMKit

@main
struct LLMProbe: LLMCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-probe",
        abstract: "Find model servers, check their health and models, and wait for them to be ready.",
        discussion: """
            With no target, probes the usual local ports at once (Ollama 11434, llama.cpp \
            8080 and 9931, vLLM 8000, LM Studio 1234, LocalAI 8080, text-generation-webui \
            5000) and every api_base in the config, and names what answers by its own \
            endpoints. A URL probes that server; -m provider/model asks that provider and \
            checks that the model is served (hosted providers: the key is checked with their \
            free models list, never a paid request).

            Output: a {"type":"probe",...} record per target (status up, loading or down; \
            server, version, latency, models and which are loaded; advice when down); -t a \
            table; --format prometheus for node_exporter's textfile collector; --format \
            nagios a plugin status line.

            Examples:
              llm-probe -t                                   # what runs on this machine?
              llm-probe -m ollama/llama3.2                   # up, and the model pulled?
              llama-server -m m.gguf & llm-probe --wait 60 -m llamacpp/m && make eval
              llm-probe --format prometheus > /var/lib/node_exporter/llm.prom
              llm-probe --format nagios http://gpu-box:8080

            \(HelpTable.exitStatus([
                (.success, "every target healthy, its model served, every --runs request answered"),
                (.checkFailed, "some target down, loading or missing its model, --wait ran out, or a --runs request failed"),
                (.usage, "bad command line"),
                (.unavailable, "nothing reachable at all"),
                (.configuration, "bad configuration file or environment"),
                (.interrupted, "--watch stopped by SIGINT, SIGTERM or SIGHUP"),
            ], note: "With --format nagios: 0 OK, 1 WARNING (loading), 2 CRITICAL, 3 UNKNOWN (the probe itself failed).").text)

            \(HelpTable("Environment", SharedHelp.configEnvironment + [
                .init("OPENAI_API_KEY, ...", "a hosted provider's key, for -m: checked with its free models list"),
            ]).text)

            \(HelpTable("Files", [SharedHelp.configFile]).text)
            """,
        version: LLMKitVersion.current
    )

    @Argument(help: ArgumentHelp("Server addresses to probe (http://host:port, with or without /v1).", valueName: "url"))
    var targets: [String] = []

    @Option(name: .shortAndLong, help: "A model to check, as provider/model (repeatable).")
    var model: [String] = []

    @Option(help: ArgumentHelp("Wait until every target is ready, up to this many seconds (exit 1 if it runs out).", valueName: "seconds"))
    var wait: Double?

    @Option(help: ArgumentHelp("Seconds each probe may take.", valueName: "seconds"))
    var timeout: Double = 3

    @Flag(help: "Fetch a missing -m model through Ollama's /api/pull (progress on stderr on a terminal, else progress records).")
    var pull = false

    @Option(help: ArgumentHelp("Probe again every this many seconds, until interrupted.", valueName: "seconds"))
    var watch: Double?

    @Flag(help: "Describe this machine: CPU, memory, GPUs, and which model sizes fit where.")
    var hardware = false

    @Flag(help: "Suggest local models to try on this machine (implies --hardware).")
    var recommend = false

    @Flag(help: "Benchmark each -m model: streamed runs of a fixed prompt after a warm-up (a real, possibly paid, request).")
    var bench = false

    @Option(name: [.customShort("n"), .long], help: "Benchmark runs.")
    var runs = 5

    @Option(help: "The benchmark prompt's length in words.")
    var promptWords = 128

    @Option(help: "The most tokens each benchmark reply may have.")
    var maxTokens = 128

    @Option(help: "Benchmark streams at once: aggregate throughput under load.")
    var concurrency = 1

    @Option(help: ArgumentHelp("Output form: jsonl, prometheus or nagios.", valueName: "form"))
    var format: Format = .jsonl

    @Flag(name: .shortAndLong, help: "A table for a person instead of JSON Lines.")
    var text = false

    @Option(help: ArgumentHelp("The config file (default: $LLMKIT_CONFIG, else $XDG_CONFIG_HOME/llmkit/config.yaml).", valueName: "file"))
    var config: String?

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsonl, prometheus, nagios
    }

    func validate() throws {
        guard timeout > 0, timeout <= 600 else { throw ValidationError("--timeout must be a number of seconds, up to 600") }
        if bench, model.isEmpty { throw ValidationError("--bench needs a model: -m provider/model") }
        guard (1...1000).contains(runs), (1...100_000).contains(promptWords), (1...100_000).contains(maxTokens), (1...256).contains(concurrency) else {
            throw ValidationError("--runs (1-1000), --prompt-words, --max-tokens and --concurrency (1-256) must be positive and in range")
        }
        if let wait, !(wait > 0 && wait <= RequestOptions.maxSeconds) { throw ValidationError("--wait must be a positive number of seconds") }
        if let watch, !(watch >= 0.1 && watch <= RequestOptions.maxSeconds) { throw ValidationError("--watch must be at least 0.1 seconds") }
        if pull, model.isEmpty { throw ValidationError("--pull needs a model: -m ollama/NAME") }
        for target in targets {
            do { _ = try ParsedURL(target) } catch { throw ValidationError("\(target): \(error)") }
        }
    }

    func run() async throws {
        FileDescriptorIO.ignoreSigpipe()
        ProcessTree.makeNonDumpable()
        let log = Log(tool: "llm-probe", verbose: false)
        let status: Int32
        if watch != nil {
            // A watch ends on a signal; say so with 130, as every llmkit tool does.
            Interruption.onSignal { _ in Interruption.exit(.interrupted) }
        }
        do throws(LLMError) {
            status = try await probe()
        } catch {
            log.error(error)
            if format == .nagios {
                // A plugin always prints its status line: UNKNOWN, and why.
                try? RecordWriter.standardOutput.writeText("LLM UNKNOWN - \(TerminalText.escaped(error.message))\n")
                status = 3
            } else {
                if format == .jsonl, !text { try? RecordWriter.standardOutput.write(error.record) }
                status = error.exitStatus.rawValue
            }
        }
        Interruption.exitUnlessInterrupted(code: status)
    }

    private func probe() async throws(LLMError) -> Int32 {
        let log = Log(tool: "llm-probe", verbose: false)
        let environment = Environment.current
        let config = try ConfigLoader.load(environment: environment, explicitPath: self.config)
        APIKeyResolver.registerEnvironmentKeys(config: config, environment: environment)
        let factory = ProviderFactory(config: config, environment: environment)
        var probeTargets = targets.map(ProbeRun.Target.address)
        var benchTargets: [(ModelReference, any Provider)] = []
        for text in model {
            let reference = try ModelReference.resolve(text, config: config)
            let provider = try factory.provider(for: reference)
            probeTargets.append(.model(reference, provider))
            benchTargets.append((reference, provider))
        }
        if (hardware || recommend), probeTargets.isEmpty {
            try await describeMachine(environment)
            return 0
        }
        let discovering = probeTargets.isEmpty
        if discovering { probeTargets = ProbeRun.discoveryTargets(config: config, environment: environment) }

        // A scan is of ports that usually have nothing on them: at most 2 s for each.
        var run = ProbeRun(timeout: discovering ? min(timeout, 2) : timeout)
        let deadline = wait.map { ContinuousClock.now + .seconds($0) }
        func ready(_ results: [ProbeRun.Result]) -> Bool {
            discovering ? results.contains(where: \.healthy) : results.allSatisfy(\.healthy)
        }
        var results = await run.probe(probeTargets)
        if pull {
            for result in results where result.modelAvailable == false {
                guard let puller = ProbeRun.puller(for: result) else {
                    log.note("\(result.health.target) (\(result.health.server ?? "unknown")) cannot pull models: --pull works with Ollama servers")
                    continue
                }
                do { try await fetch(puller.model, with: puller.pull) } catch { log.error(error) }
            }
            results = await run.probe(probeTargets)
        }
        if let deadline {
            var pause = 0.1
            while !ready(results), ContinuousClock.now < deadline {
                let left = (deadline - .now) / .seconds(1)
                try? await Task.sleep(for: .seconds(min(pause, max(0, left))))
                pause = min(pause * 1.5, 1)
                // The last probe may not outlast the deadline either.
                run.timeout = max(0.1, min(timeout, (deadline - .now) / .seconds(1)))
                results = await run.probe(probeTargets)
            }
        }
        if format == .jsonl { try write(results, []) }  // seen before a long benchmark starts
        var benchmarks: [Benchmark.Result] = []
        if bench {
            var settings = Benchmark()
            settings.runs = runs
            settings.promptWords = promptWords
            settings.maxTokens = maxTokens
            settings.concurrency = concurrency
            for ((reference, provider), result) in zip(benchTargets, results.suffix(benchTargets.count)) where result.healthy {
                benchmarks.append(await settings.run(reference, provider: provider))
            }
        }
        try write(format == .jsonl ? [] : results, benchmarks)
        while let watch {
            try? await Task.sleep(for: .seconds(watch))
            results = await run.probe(probeTargets)
            if text, format == .jsonl { try RecordWriter.standardOutput.writeText("\n" + Date().formatted(.iso8601) + "\n") }
            try write(results, [])
        }
        if hardware || recommend { try await describeMachine(environment) }
        let benchFailed = bench && (benchmarks.count < benchTargets.count || benchmarks.contains { !$0.failures.isEmpty })
        if format == .nagios { return benchFailed ? 2 : ProbeReport.nagios(results).code }
        if deadline != nil, !ready(results) { return ExitStatus.checkFailed.rawValue }  // --wait ran out
        if !results.contains(where: \.health.answered) { return ExitStatus.unavailable.rawValue }
        if benchFailed { return ExitStatus.checkFailed.rawValue }
        if discovering { return 0 }  // a scan finds what runs; ports with nothing on them are expected
        return results.allSatisfy(\.healthy) ? 0 : ExitStatus.checkFailed.rawValue
    }

    /// `--pull`: the server fetches the model; a bar on a terminal, records otherwise.
    private func fetch(_ model: String, with puller: OllamaPull) async throws(LLMError) {
        let onTerminal = FileDescriptorIO.isTerminal(2)
        // Progress records only where records are the output; otherwise lines on stderr.
        let asRecords = format == .jsonl && !text
        let output = RecordWriter.standardOutput
        try await puller.pull(model) { step in
            if onTerminal {
                let share = step.total.flatMap { total in step.completed.map { total > 0 ? Double($0) / Double(total) : 0 } }
                let bar = share.map { s in "[" + String(repeating: "#", count: Int(s * 30)) + String(repeating: ".", count: 30 - Int(s * 30)) + "] \(Int(s * 100))%" } ?? ""
                StandardError.progress("pulling \(model): \(step.status) \(bar)")
            } else if asRecords {
                var record = step.record
                record["model"] = .string(model)
                try? output.write(record)
            } else {
                StandardError.report("llm-probe", "pulling \(model): \(step.status)" + (step.total.map { " \(step.completed ?? 0)/\($0)" } ?? ""))
            }
        }
        if onTerminal { StandardError.write("\n") }
    }

    private func describeMachine(_ environment: Environment) async throws(LLMError) {
        let machine = Hardware.current(environment: environment)
        var picks = recommend ? ModelAdvice.picks(machine) : []
        if recommend { picks = ModelAdvice.installed(await ProbeRun.installedModels(environment: environment), on: machine) + picks }
        let output = RecordWriter.standardOutput
        guard text else {
            try output.write(machine.record)
            for pick in picks { try output.write(pick.record) }
            return
        }
        func gib(_ bytes: Int?) -> String { bytes.map { String(format: "%.1f GiB", Double($0) / Double(1 << 30)) } ?? "?" }
        var lines = ["CPU     \(machine.cpu ?? "unknown"), \(machine.cores) cores",
                     "memory  \(gib(machine.memoryBytes)) (\(gib(machine.availableBytes)) available)"]
        lines += machine.gpus.isEmpty ? ["GPU     none found"] : machine.gpus.map { "GPU     \($0.name), \(gib($0.memoryBytes))" + ($0.freeBytes.map { " (\(gib($0)) free)" } ?? "") }
        let fits = ModelSizing.fits(machine).filter { $0.quantization == "Q4_K_M" }
        lines.append("fits    " + fits.map(\.sentence).joined(separator: "; "))
        for pick in picks {
            let place = pick.place == "gpu" ? "on the GPU" : pick.place == "ram" ? "in RAM" : "too big for this machine"
            lines.append(pick.installed ? "have    \(pick.model)   (\(place))" : "try     ollama pull \(pick.model)   (\(pick.use); \(place))")
        }
        try output.writeText(TerminalText.escaped(lines.joined(separator: "\n"), keepingLineBreaks: true) + "\n")
    }

    private func write(_ results: [ProbeRun.Result], _ benchmarks: [Benchmark.Result]) throws(LLMError) {
        let output = RecordWriter.standardOutput
        guard !results.isEmpty || !benchmarks.isEmpty else { return }
        switch format {
        case .prometheus: try output.writeText(ProbeReport.prometheus(results, benchmarks))
        case .nagios: try output.writeText(ProbeReport.nagios(results).line + "\n")
        case .jsonl where text:
            if !results.isEmpty { try output.writeText(ProbeReport.table(results)) }
            if !benchmarks.isEmpty { try output.writeText("\n" + ProbeReport.table(benchmarks)) }
        case .jsonl:
            for result in results { try output.write(result.record) }
            for benchmark in benchmarks { try output.write(benchmark.record) }
        }
    }
}
