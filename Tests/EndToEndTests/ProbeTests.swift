import Foundation
import LLMKit
import Testing

/// `llm-probe` against fake servers of each kind, a closed port, a port that never
/// answers, and the real llama-cpp-python server.
@Suite struct ProbeTests {
    func probe(_ arguments: [String], environment: [String: String] = [:]) throws -> (CommandResult, Duration) {
        let start = ContinuousClock.now
        let result = try run("llm-probe", arguments, stdin: nil, environment: environment, timeout: 120)
        return (result, ContinuousClock.now - start)
    }

    func server(_ kind: String, _ extra: [String] = []) throws -> FakeServer {
        try FakeServer(script: "fake_servers.py", arguments: ["--kind", kind] + extra)
    }

    func root(_ server: FakeServer) -> String { "http://127.0.0.1:\(server.port)" }

    /// A port nothing listens on: bound, then closed.
    func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func eachKindOfServerIsNamedByItsOwnEndpoints() throws {
        let ollama = try server("ollama"), llama = try server("llamacpp"), vllm = try server("vllm"), studio = try server("lmstudio")
        let (result, _) = try probe([root(ollama), root(llama), root(vllm), root(studio)])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let records = result.records
        #expect(records.map { $0["server"]?.stringValue ?? "" } == ["ollama", "llama.cpp", "vllm", "lm_studio"])
        #expect(records[0]["version"] == "0.5.7")
        #expect(records[0]["models"] == [["name": "llama3.2:latest", "size_bytes": 2019393189, "loaded": true],
                                         ["name": "qwen3:4b", "size_bytes": 2600000000, "loaded": false]])
        #expect(records[2]["version"] == "0.6.3")
        #expect(records[3]["models"]?.arrayValue?.map { $0["loaded"] } == [true, false])
        #expect(records.allSatisfy { $0["type"] == "probe" && $0["status"] == "up" && $0["latency_ms"]?.doubleValue != nil })
    }

    @Test func loadingIsNotDown() throws {
        let llama = try server("llamacpp", ["--loading", "600"])
        let (result, _) = try probe([root(llama)])
        #expect(result.status == 1)
        #expect(result.lastRecord?["status"] == "loading")
        #expect(result.lastRecord?["server"] == "llama.cpp")
    }

    @Test func aClosedPortIsAQuickDownAndNothingReachableIs69() throws {
        let (result, elapsed) = try probe(["http://127.0.0.1:\(closedPort())"])
        #expect(result.status == 69)
        #expect(result.lastRecord?["status"] == "down")
        #expect(result.lastRecord?["error"] == "connection refused")
        #expect(elapsed < .seconds(20), "a refused connection is answered at once")
    }

    /// The probe's own clock ends the wait on a server that accepts and never answers.
    @Test func aServerThatNeverAnswersTimesOutAndSaysSo() throws {
        let hole = try server("blackhole")
        let (result, elapsed) = try probe(["--timeout", "1", root(hole)])
        #expect(result.status == 69)
        #expect(result.lastRecord?["error"] == "no answer within 1 s")
        #expect(elapsed < .seconds(30))
    }

    @Test func waitReturnsOnceTheServerIsReady() throws {
        let llama = try server("llamacpp", ["--loading", "3"])
        let (result, elapsed) = try probe(["--wait", "30", root(llama)])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.lastRecord?["status"] == "up")
        #expect(elapsed > .seconds(2), "it waited for the model to load")
        #expect(elapsed < .seconds(25), "it returned once ready, not at the end of --wait")
    }

    @Test func waitRunsOutWithExit1() throws {
        let llama = try server("llamacpp", ["--loading", "600"])
        let (result, _) = try probe(["--wait", "1", root(llama)])
        #expect(result.status == 1)
        #expect(result.lastRecord?["status"] == "loading")
        // Against a server that never answers, the deadline holds the last probe too.
        let hole = try server("blackhole")
        let (silent, elapsed) = try probe(["--wait", "1", "--timeout", "3", root(hole)])
        #expect(silent.status == 1)
        #expect(elapsed < .seconds(20))
    }

    /// What a hostile server says is shown, never obeyed; a page is not a model server;
    /// a models list that cannot be read is unknown, not empty.
    @Test func hostileAnswersAreShownNotObeyed() throws {
        let hostile = try server("hostile")
        let (table, _) = try probe(["-t", root(hostile)])
        #expect(!table.stdout.contains("\u{1B}"), "an escape sequence reached the terminal")
        #expect(table.stdout.contains("\\u{1B}") || table.stdout.contains("\\e") || table.stdout.contains("^["), "\(table.stdout)")
        let page = try server("page")
        let (html, _) = try probe([root(page)])
        #expect(html.lastRecord?["status"] == "down", "an HTML page on every path is no model server")
        let ollama = try server("ollama", ["--broken-tags"])
        let (unknown, _) = try probe(["-m", "ollama_chat/llama3.2"], environment: ["OLLAMA_HOST": root(ollama)])
        #expect(unknown.lastRecord?["model_available"] == nil)
        #expect(unknown.lastRecord?["models_error"]?.stringValue?.contains("/api/tags") == true)
        #expect(unknown.lastRecord?["advice"] == nil, "no pull advice for a model that may well be there")
    }

    @Test func aModelIsThereOrTheAdviceSaysHowToGetIt() throws {
        let ollama = try server("ollama")
        let environment = ["OLLAMA_HOST": root(ollama)]
        let (present, _) = try probe(["-m", "ollama_chat/llama3.2"], environment: environment)
        #expect(present.status == 0, "\(present.stdout)\(present.stderr)")
        #expect(present.lastRecord?["model_available"] == true)
        let (missing, _) = try probe(["-m", "ollama/mistral"], environment: environment)
        #expect(missing.status == 1)
        #expect(missing.lastRecord?["model_available"] == false)
        #expect(missing.lastRecord?["advice"] == "fetch it with `ollama pull mistral`")
        #expect(missing.lastRecord?["error"]?.stringValue?.contains("llama3.2:latest") == true)
    }

    @Test func aDownServerGetsAdviceThatFitsIt() throws {
        let (result, _) = try probe(["-m", "ollama/llama3.2"], environment: ["OLLAMA_HOST": "127.0.0.1:\(closedPort())"])
        #expect(result.status == 69)
        #expect(result.lastRecord?["advice"]?.stringValue?.contains("start it with `ollama serve`") == true)
    }

    @Test func nothingRunningIsAFastScanOfTheDefaultPorts() throws {
        let (result, elapsed) = try probe([])
        let records = result.records
        #expect(records.count == 6)
        if records.allSatisfy({ $0["status"] == "down" }) {
            #expect(result.status == 69)
            #expect(elapsed < .seconds(20), "nothing listening is answered at once")
        }
    }

    @Test func nagiosFollowsThePluginGuidelines() throws {
        let ollama = try server("ollama"), llama = try server("llamacpp", ["--loading", "600"])
        let (ok, _) = try probe(["--format", "nagios", root(ollama)])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("LLM OK - 1 of 1 up | "))
        let (warning, _) = try probe(["--format", "nagios", root(ollama), root(llama)])
        #expect(warning.status == 1)
        #expect(warning.stdout.hasPrefix("LLM WARNING - "))
        let (critical, _) = try probe(["--format", "nagios", "http://127.0.0.1:\(closedPort())"])
        #expect(critical.status == 2)
        // One line; perfdata 'label'=value[UOM];[warn];[crit];[min];[max], space-separated.
        let lines = critical.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let perf = lines[0].split(separator: "|", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        for item in perf.split(separator: " ") {
            #expect(item.wholeMatch(of: /'[^'=]+'=-?[0-9.]+(s|ms|%|B|KB|MB|TB|c)?;[0-9.]*;[0-9.]*;[0-9.]*;[0-9.]*/) != nil, "\(item)")
        }
        let (unknown, _) = try probe(["--format", "nagios", "-m", "nosuchprovider/x"])
        #expect(unknown.status == 3)
        #expect(unknown.stdout.hasPrefix("LLM UNKNOWN - unknown provider"), "a plugin always prints its status line")
    }

    /// Parsed by the real client library's parser, where the test run has it.
    @Test func prometheusOutputParses() throws {
        guard let python = ProcessInfo.processInfo.environment["LLMKIT_TEST_PYTHON"] else { return }
        let ollama = try server("ollama")
        let (result, _) = try probe(["--format", "prometheus", root(ollama), "http://127.0.0.1:\(closedPort())"])
        let file = Paths.temporaryDirectory().appendingPathComponent("probe.prom")
        try result.stdout.write(to: file, atomically: true, encoding: .utf8)
        let check = try run(python, ["-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
            up = {s.labels['target']: s.value for s in families['llmkit_probe_up'].samples}
            assert sorted(up.values()) == [0.0, 1.0], up
            assert families['llmkit_probe_models_loaded'].samples[0].value == 1.0
            print('parsed', len(families))
            """, file.path], stdin: nil)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.hasPrefix("parsed"))
    }

    /// The real llama-cpp-python server: found, named, its model listed.
    @Test func theRealServerIsFoundAndItsModelListed() throws {
        guard let base = ProcessInfo.processInfo.environment["LLMKIT_TEST_LLAMA_BASE"] else { return }
        let (byURL, _) = try probe([base])
        #expect(byURL.status == 0, "\(byURL.stdout)\(byURL.stderr)")
        #expect(byURL.lastRecord?["server"] == "openai-compatible")  // llama-cpp-python has no /health of its own
        #expect(byURL.lastRecord?["models"]?.arrayValue?.first?["name"]?.stringValue?.hasSuffix(".gguf") == true)
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  llamacpp:\n    api_base: \(base)\n".write(to: config, atomically: true, encoding: .utf8)
        let (byModel, _) = try probe(["-m", "llamacpp/smollm2"], environment: ["LLMKIT_CONFIG": config.path])
        #expect(byModel.status == 0, "\(byModel.stdout)\(byModel.stderr)")
        #expect(byModel.lastRecord?["model_available"] == true)
        // A scan finds it too, through the config's api_base.
        let (scan, _) = try probe([], environment: ["LLMKIT_CONFIG": config.path])
        let found = scan.records.first { $0["target"]?.stringValue == ServerProbe.root(of: base) }
        #expect(found?["status"] == "up" && found?["server"] == "openai-compatible", "\(scan.stdout)")
        #expect(scan.status == 0)
    }
}

/// Hosted providers are checked with their free models list: the key, and the model.
@Suite struct HostedProbeTests {
    let server: FakeServer
    let key = ConformanceTarget.fakeKey
    init() throws { server = try FakeServer(script: "fake_provider.py", arguments: ["--key", ConformanceTarget.fakeKey]) }

    func config() throws -> String {
        let base = "http://127.0.0.1:\(server.port)"
        let file = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  openai: {api_base: \(base)/v1}\n  anthropic: {api_base: \(base)}\n  gemini: {api_base: \(base)/v1beta}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    @Test(arguments: [("openai/gpt-fake", "OPENAI_API_KEY"), ("anthropic/claude-fake-1", "ANTHROPIC_API_KEY"), ("gemini/gemini-fake", "GEMINI_API_KEY")])
    func theKeyAndTheModelAreCheckedForFree(model: String, variable: String) async throws {
        let good = try run("llm-probe", ["-m", model], stdin: nil, environment: ["LLMKIT_CONFIG": try config(), variable: key])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.lastRecord?["model_available"] == true)
        let bad = try run("llm-probe", ["-m", model], stdin: nil, environment: ["LLMKIT_CONFIG": try config(), variable: "sk-wrong-0123456789"])
        #expect(bad.status == 1, "the server answered: it is reachable, the check failed")
        #expect(bad.lastRecord?["error"]?.stringValue?.contains("key") == true)
        #expect(bad.lastRecord?["advice"]?.stringValue?.contains(variable) == true)
        #expect(!bad.stdout.contains("sk-wrong-0123456789") && !bad.stderr.contains("sk-wrong-0123456789"))
        let paths = try await server.requests().compactMap { $0["path"]?.stringValue }
        #expect(!paths.contains { $0.contains("completions") || $0.contains("messages") || $0.contains("generateContent") }, "a paid request was sent")
    }
}

/// `--bench` against the real llama-cpp-python server.
@Suite struct ProbeBenchTests {
    @Test func benchmarkFiguresAgreeWithTheServersCount() throws {
        guard let base = ProcessInfo.processInfo.environment["LLMKIT_TEST_LLAMA_BASE"] else { return }
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  llamacpp:\n    api_base: \(base)\n".write(to: config, atomically: true, encoding: .utf8)
        let environment = ["LLMKIT_CONFIG": config.path]
        let result = try run("llm-probe", ["-m", "llamacpp/smollm2", "--bench", "-n", "3", "--max-tokens", "48", "--prompt-words", "32"],
                             stdin: nil, environment: environment, timeout: 300)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let bench = try #require(result.records.first { $0["type"] == "bench" })
        #expect(bench["runs"] == 3)
        let ttft = try #require(bench["ttft_ms"]?["median"]?.doubleValue)
        let rate = try #require(bench["tokens_per_second"]?["median"]?.doubleValue)
        #expect(ttft > 0 && rate > 0)
        // The server's own count of the same reply (temperature 0, seed 1): the tokens the
        // benchmark counted agree with it within 10%.
        let counted = try #require(bench["output_tokens"]?["median"]?.doubleValue)
        let prompt = ConformanceScenario.lines([#"{"type":"options","temperature":0,"seed":1,"max_tokens":48}"#,
                                                JSONValue.object(["role": "user", "content": .string(Self.prompt(words: 32))]).serialized])
        let whole = try run("llm-complete", ["-m", "llamacpp/smollm2"], stdin: prompt, environment: environment)
        let served = try #require(whole.records.last?["usage"]?["output_tokens"]?.doubleValue)
        #expect(abs(counted - served) <= served * 0.1, "counted \(counted), the server says \(served)")
        let table = try run("llm-probe", ["-m", "llamacpp/smollm2", "--bench", "-n", "1", "--max-tokens", "8", "-t"], stdin: nil, environment: environment, timeout: 300)
        #expect(table.stdout.contains("TTFT") && table.stdout.contains("llamacpp/smollm2"))
    }

    /// The benchmark's prompt, as `Benchmark.prompt` makes it.
    static func prompt(words: Int) -> String {
        var settings = Benchmark()
        settings.promptWords = words
        return settings.prompt
    }
}

/// `--hardware` and `--recommend`, with a GPU tool standing in for `nvidia-smi`.
@Suite struct HardwareProbeTests {
    @Test func theMachineAndWhatFitsIt() throws {
        let result = try run("llm-probe", ["--hardware"], stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")
        let record = try #require(result.records.first)
        #expect(record["type"] == "hardware")
        #expect(record["cores"]?.intValue ?? 0 >= 1)
        #expect(record["memory_bytes"]?.intValue ?? 0 > 0)
        #expect(record["fits"]?.arrayValue?.count == ModelSizing.sizes.count * ModelSizing.quantizations.count)
    }

    @Test func aGPUIsReadFromNvidiaSmiAndModelsFitInIt() throws {
        let bin = Paths.temporaryDirectory()
        let tool = bin.appendingPathComponent("nvidia-smi")
        try "#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 23000'\n".write(to: tool, atomically: true, encoding: .utf8)
        chmod(tool.path, 0o755)
        let environment = ["PATH": bin.path + ":/usr/bin:/bin"]
        let result = try run("llm-probe", ["--recommend"], stdin: nil, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let hardware = try #require(result.records.first { $0["type"] == "hardware" })
        #expect(hardware["gpus"] == [["name": "NVIDIA GeForce RTX 4090", "source": "nvidia-smi", "memory_bytes": .int(24564 << 20), "free_bytes": .int(23000 << 20)]])
        let fits = hardware["fits"]?.arrayValue ?? []
        #expect(fits.contains { $0["size"] == "7B" && $0["quantization"] == "Q4_K_M" && $0["fits"] == "gpu" })
        #expect(fits.contains { $0["size"] == "70B" && $0["quantization"] == "Q4_K_M" && $0["fits"] != "gpu" })
        let picks = result.records.filter { $0["type"] == "recommendation" }
        #expect(picks.first?["runs_in"] == "gpu")
        #expect(picks.first?["model"] == "qwen3:32b", "the largest that fits 23 GB free")
        let table = try run("llm-probe", ["--hardware", "-t"], stdin: nil, environment: environment)
        #expect(table.stdout.contains("GPU     NVIDIA GeForce RTX 4090") && table.stdout.contains("7B Q4_K_M fits in GPU memory"))
    }

    /// The models a local Ollama already has are placed by the sizes it reports.
    @Test func installedOllamaModelsAreInTheAdvice() throws {
        let ollama = try FakeServer(script: "fake_servers.py", arguments: ["--kind", "ollama"])
        let result = try run("llm-probe", ["--recommend"], stdin: nil, environment: ["OLLAMA_HOST": "127.0.0.1:\(ollama.port)"])
        let installed = result.records.filter { $0["installed"] == true }
        #expect(installed.map { $0["model"]?.stringValue ?? "" } == ["llama3.2:latest", "qwen3:4b"])
        #expect(installed.allSatisfy { $0["runs_in"] != nil })
    }
}

/// `--pull` through Ollama's /api/pull, and `--watch`.
@Suite struct PullAndWatchTests {
    @Test func aMissingModelIsPulledWithProgressRecords() throws {
        let ollama = try FakeServer(script: "fake_servers.py", arguments: ["--kind", "ollama"])
        let environment = ["OLLAMA_HOST": "127.0.0.1:\(ollama.port)"]
        let result = try run("llm-probe", ["-m", "ollama/mistral", "--pull"], stdin: nil, environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let progress = result.records.filter { $0["type"] == "progress" }
        #expect(progress.first?["status"] == "pulling manifest")
        #expect(progress.contains { $0["completed"] == 500 && $0["total"] == 1000 })
        #expect(progress.last?["status"] == "success")
        #expect(result.lastRecord?["model_available"] == true)
        let failed = try run("llm-probe", ["-m", "ollama/no-such-model", "--pull"], stdin: nil, environment: environment)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("file does not exist"))
        #expect(failed.lastRecord?["model_available"] == false, "the probe record is still written")
        // Progress goes to stderr where stdout is not records: Prometheus output stays valid.
        let prometheus = try run("llm-probe", ["-m", "ollama/gemma3", "--pull", "--format", "prometheus"], stdin: nil, environment: environment)
        #expect(prometheus.stdout.hasPrefix("# HELP"), "\(prometheus.stdout.prefix(200))")
        #expect(prometheus.stderr.contains("pulling gemma3"))
    }

    @Test func watchProbesAgainUntilInterrupted() throws {
        let ollama = try FakeServer(script: "fake_servers.py", arguments: ["--kind", "ollama"])
        let process = Process()
        process.executableURL = Paths.binary("llm-probe")
        process.arguments = ["--watch", "0.2", "http://127.0.0.1:\(ollama.port)"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": Paths.temporaryDirectory().path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(1_500_000)
        process.interrupt()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let rounds = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { $0.contains(#""type":"probe""#) }.count
        #expect(rounds >= 3, "\(rounds) rounds in 1.5 s at 0.2 s apart")
    }
}

/// The server's own speed, where it reports one, is shown beside ours.
@Suite struct BenchServerTimingsTests {
    @Test func ollamaDurationsAreTheServersFigure() async throws {
        let server = try FakeServer(script: "fake_provider.py")
        let settings = ProviderSettings(name: "ollama_chat", format: "ollama_chat", apiBase: "http://127.0.0.1:\(server.port)")
        var bench = Benchmark()
        bench.runs = 2
        bench.maxTokens = 8
        let result = await bench.run(ModelReference(provider: "ollama_chat", name: "cached-usage"), provider: OllamaChatProvider(settings: settings, apiKey: nil))
        #expect(result.failures.isEmpty, "\(result.failures)")
        #expect(result.serverTokensPerSecond?.median == 70, "7 tokens in 100 ms, by the server's clock")
        #expect(result.promptTokensPerSecond?.median == 2000)
        #expect(result.tokensPerSecond != nil, "and ours beside it")
        #expect(result.outputTokens?.median == 7)
    }
}

extension ProbeTests {
    /// `mock` and `cmd` answer in process: probed, they are reachable, so a served model is
    /// 0 and a missing runner 1 (its model missing), never 69 (nothing reachable).
    @Test func theInProcessProvidersAreReachable() throws {
        let mock = try run("llm-probe", ["-m", "mock/echo"])
        #expect(mock.status == 0, "\(mock.stdout)\(mock.stderr)")
        let missing = try run("llm-probe", ["-m", "cmd/no-such-runner"])
        #expect(missing.status == 1, "\(missing.stdout)\(missing.stderr)")
    }
}
