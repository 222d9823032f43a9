import Foundation
import LLMKit
import Testing

/// Every example a man page shows (the `Examples:` of each `--help`) either runs as written
/// here, with fake servers standing in for the providers it names, or is marked below with
/// why it cannot run offline: none is left unchecked by accident.
@Suite struct ManualExamplesTests {
    /// What becomes of one example.
    enum Way {
        /// Run as written by bash (with `pipefail`) in a fresh copy of Tests/Fixtures/examples,
        /// after `setup` has made the files it reads that a model writes. `asks`: the
        /// example must reach the fake provider. `statuses`: the exit statuses it may end with.
        case runs(setup: String = "", asks: Bool = true, statuses: Set<Int32> = [0], probesOllama: Bool = false)
        case notOffline(String)
    }

    static let results = "llm-complete -j 2 -m openai/gpt-4o-mini < requests.jsonl"
    static let detach = "llm-complete --batch-api --detach -m anthropic/claude-haiku-4-5 < requests.jsonl > job.jsonl"

    static let ways: [String: Way] = [
        // llm-complete
        #"llm-complete -m ollama/llama3.2 -t "Name three Unix philosophers""#: .runs(),
        #"git diff | llm-complete -t -m openai/gpt-4o-mini "Write a commit message for this diff""#:
            .runs(setup: "git init -q && git add -A && git -c user.name=t -c user.email=t@example.com commit -qm one && echo more >> notes.txt"),
        #"llm-complete -m mock/echo "hello" | llm-complete -m ollama/qwen3 "Now say it in French""#: .runs(),
        "llm-complete -j 8 -m groq/llama-3.1-8b-instant < requests.jsonl > results.jsonl": .runs(),
        #"llm-complete --dry-run -m openai/gpt-4o-mini "hi""#: .runs(asks: false),
        "llm-complete --list-providers -t": .runs(asks: false),
        #"llm-complete -m openai/gpt-4o --fallback anthropic/claude-sonnet-4-5 --fallback ollama/qwen3 "hi""#: .runs(),
        #"llm-complete -m auto --explain --route cheap "Summarize this" < notes.txt"#: .runs(),
        "llm-complete --batch-api -m openai/gpt-4o-mini < requests.jsonl > results.jsonl": .runs(),
        detach: .runs(),
        "llm-complete --resume job.jsonl > results.jsonl": .runs(setup: detach),
        // llm-stream
        #"llm-stream -t -m ollama/llama3.2 "Count to ten""#: .runs(),
        "llm-stream --show -m llamacpp/default < chat.jsonl > transcript.jsonl": .runs(),
        #"llm-stream -m openai/gpt-4o-mini "Tell a story" | grep '"type":"delta"' | head"#: .runs(),
        #"llm-stream -t -m anthropic/claude-sonnet-4-5 "Explain RAID 5""#: .runs(),
        #"llm-stream -t -m cmd/llama "Summarize" < notes.txt     # a runner from the config"#: .runs(asks: false),
        "llm-stream --list-providers -t": .runs(asks: false),
        #"llm-stream -m llamacpp/default --fallback openai/gpt-4o-mini --retry-partial "hi""#: .runs(),
        // llm-tools
        "llm-tools list -f tools.yaml | cat - question.jsonl | llm-complete -m ollama/qwen3 \\\n  | llm-tools exec -f tools.yaml | llm-complete -m ollama/qwen3": .runs(),
        "llm-tools loop -f tools.yaml --max-turns 8 -- llm-complete -m ollama/qwen3 < chat.jsonl": .runs(),
        "while llm-tools pending < chat.jsonl; do ...; done":
            .notOffline("a sketch: `...` stands for the reader's own steps (AgentLoopTests runs the README's whole loop)"),
        // llm-probe
        "llm-probe -t                                   # what runs on this machine?":
            // The usual local ports are this machine's: what answers there decides 0 or 1.
            .runs(asks: false, statuses: [0, 1]),
        "llm-probe -m ollama/llama3.2                   # up, and the model pulled?": .runs(asks: false, probesOllama: true),
        "llama-server -m m.gguf & llm-probe --wait 60 -m llamacpp/m && make eval":
            .notOffline("needs llama.cpp's llama-server, a model file and the reader's own `make eval` (ProbeTests waits for a loading fake llama.cpp)"),
        "llm-probe --format prometheus > /var/lib/node_exporter/llm.prom":
            .notOffline("writes into node_exporter's folder on the host (ProbeTests checks the prometheus format)"),
        "llm-probe --format nagios http://gpu-box:8080":
            .notOffline("probes another machine (ProbeTests checks the nagios format on loopback)"),
        // llm-cost
        #"llm-complete -m anthropic/claude-sonnet-4-5 "hi" | llm-cost -t"#: .runs(),
        "llm-cost --by day -t < cron.jsonl": .runs(setup: "\(results) > cron.jsonl", asks: false),
        "cat batch-results.jsonl | llm-cost --annotate | llm-cost -t": .runs(setup: "\(results) > batch-results.jsonl", asks: false),
        "llm-cost --estimate --max-tokens 500 -t < batch.jsonl": .runs(asks: false),
        "llm-cost --ledger ~/spend.jsonl --period month --budget 50 < /dev/null || exit": .runs(asks: false),
        "llm-complete --tag nightly < job.jsonl | llm-cost --ledger ~/spend.jsonl --budget 50 --period month": .runs(),
        // llm-serve
        "llm-serve -f agents.yaml":
            .notOffline("serves on port 8000 until stopped, a port this machine may be using (ServeTests serves agents files on free ports)"),
        "LLMSERVE_KEY=$(openssl rand -hex 24) llm-serve -f agents.yaml --host 0.0.0.0 --api-key-env LLMSERVE_KEY":
            .notOffline("listens on every interface (ServeTests checks --api-key-env on loopback)"),
        #"curl -N localhost:8000/v1/chat/completions -H 'Content-Type: application/json' \"# + "\n"
            + #"  -d '{"model":"researcher","stream":true,"messages":[{"role":"user","content":"hi"}]}'"#:
            .notOffline("needs the llm-serve above on port 8000 (ServeTests sends the same request to its server)"),
    ]

    /// The EXAMPLES section of a man page, one example per entry: roff escapes undone, a
    /// line ending in a backslash joined to the next as the shell would.
    static func examples(of tool: String) throws -> [String] {
        let page = try String(contentsOf: Paths.packageRoot.appendingPathComponent("man/\(tool).1"), encoding: .utf8)
        let section = page.components(separatedBy: ".SH EXAMPLES\n").dropFirst().first?.components(separatedBy: "\n.SH ").first ?? ""
        var examples: [String] = []
        var continues = false
        for line in section.split(separator: "\n") where !line.hasPrefix(".") {
            let text = line.replacingOccurrences(of: "\\-", with: "-").replacingOccurrences(of: "\\e", with: "\\")
            if continues, let last = examples.popLast() {
                examples.append(last + "\n" + text)
            } else {
                examples.append(text)
            }
            continues = text.hasSuffix("\\")
        }
        return examples
    }

    @Test func everyExampleIsRunOrMarkedAsNotRunOffline() throws {
        let shown = try ManualTests.tools.flatMap { try Self.examples(of: $0) }
        #expect(shown.count >= 30)
        for example in shown {
            #expect(Self.ways[example] != nil, "an example no test runs and no mark explains: \(example)")
        }
        for example in Self.ways.keys {
            #expect(shown.contains(example), "no man page shows this example any longer: \(example)")
        }
    }

    @Test(arguments: ManualTests.tools) func theExamplesRunAsWritten(_ tool: String) async throws {
        let provider = try FakeServer(script: "fake_batches.py", arguments: ["--polls-before-done", "1"])
        let ollama = try FakeServer(script: "fake_servers.py", arguments: ["--kind", "ollama"])
        for example in try Self.examples(of: tool) {
            guard case .runs(let setup, let asks, let statuses, let probesOllama) = Self.ways[example] else { continue }
            let work = Paths.temporaryDirectory().appendingPathComponent("examples")
            try FileManager.default.copyItem(at: Paths.fixture("examples"), to: work)
            try Self.config(port: provider.port).write(to: Self.configFile(in: work), atomically: true, encoding: .utf8)
            let environment = Self.environment(home: work, ollama: probesOllama ? "127.0.0.1:\(ollama.port)" : "127.0.0.1:\(provider.port)")
            if !setup.isEmpty {
                let prepared = try run("/bin/bash", ["-o", "pipefail", "-c", "cd '\(work.path)' && \(setup)"], stdin: nil, environment: environment)
                #expect(prepared.status == 0, "setup of `\(example)`: \(prepared.stderr)")
            }
            let before = try await provider.requests().count
            let result = try run("/bin/bash", ["-o", "pipefail", "-c", "cd '\(work.path)' && \(example)"], stdin: nil, environment: environment, timeout: 60)
            #expect(statuses.contains(result.status), "`\(example)` exited \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("error"), "`\(example)`: \(result.stderr)")
            if asks {
                let after = try await provider.requests().count
                #expect(after > before, "`\(example)` never reached the fake provider")
            }
        }
    }

    static func configFile(in home: URL) throws -> URL {
        let folder = home.appendingPathComponent(".config/llmkit")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("config.yaml")
    }

    /// The examples' providers, all at one fake server; `cmd/llama` a fake runner; the
    /// `auto` router with a `cheap` rule.
    static func config(port: Int) -> String {
        """
        providers:
          openai: {api_base: "http://127.0.0.1:\(port)/v1"}
          anthropic: {api_base: "http://127.0.0.1:\(port)"}
          groq: {api_base: "http://127.0.0.1:\(port)/v1"}
          llamacpp: {api_base: "http://127.0.0.1:\(port)/v1"}
          cmd:
            commands:
              llama: {argv: [python3, "\(Paths.fixture("runner.py").path)", stream], output: text}
        routes:
          auto:
            - {when: {route: cheap}, model: openai/gpt-4o-mini}
            - {model: openai/gpt-4o}
        """
    }

    /// A user's shell: the tools on PATH, a home of its own, a key for each hosted
    /// provider the examples name, and Ollama where `OLLAMA_HOST` says. A request that
    /// would leave the machine (a provider the config misses) goes to a proxy nothing
    /// listens on, and fails there.
    static func environment(home: URL, ollama: String) -> [String: String] {
        ["PATH": Paths.binDirectory.path + ":/usr/bin:/bin", "HOME": home.path,
         "XDG_CONFIG_HOME": home.appendingPathComponent(".config").path,
         "OPENAI_API_KEY": "sk-example-test", "ANTHROPIC_API_KEY": "sk-ant-example-test", "GROQ_API_KEY": "gsk-example-test",
         "OLLAMA_HOST": ollama,
         "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
         "no_proxy": "127.0.0.1,localhost"]
    }
}
