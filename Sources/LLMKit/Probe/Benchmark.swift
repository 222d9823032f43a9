import Synchronization

/// `llm-probe --bench`: the same streamed request, N times after a warm-up, measured by
/// our clock and, where the server reports them, by its own (llama.cpp `timings`, Ollama's
/// durations). The same prompt and settings on every server, so servers compare fairly.
public struct Benchmark: Sendable {
    public var runs = 5
    /// The prompt's length in words (about a token each in English).
    public var promptWords = 128
    public var maxTokens = 128
    /// Streams at once in each run; aggregate throughput is measured across them.
    public var concurrency = 1

    public init() {}

    /// The fixed prompt: words that never change, so every server reads the same text.
    public var prompt: String {
        let words = "the quick brown fox jumps over the lazy dog while a small bird sings in the old oak tree".split(separator: " ")
        let filler = (0..<max(0, promptWords - 12)).map { words[$0 % words.count] }.joined(separator: " ")
        return "Continue this text for as long as you can, without stopping: " + filler
    }

    /// One stream's figures.
    struct Sample: Sendable {
        var ttftMs: Double
        var totalMs: Double
        var outputTokens: Int
        var clientRate: Double?
        var serverRate: Double?
        var promptRate: Double?
    }

    public struct Stats: Sendable, Equatable {
        public var median: Double
        public var min: Double
        public var max: Double
        public var p95: Double

        init?(_ values: [Double]) {
            let sorted = values.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { return nil }
            median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            min = sorted[0]
            max = sorted[sorted.count - 1]
            p95 = sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * 0.95).rounded(.up)) - 1)]
        }

        var json: JSONValue {
            func r(_ v: Double) -> JSONValue { .double((v * 10).rounded() / 10) }
            return ["median": r(median), "min": r(min), "max": r(max), "p95": r(p95)]
        }
    }

    public struct Result: Sendable {
        public var model: String
        public var settings: Benchmark
        public var ttftMs: Stats?
        public var tokensPerSecond: Stats?
        public var serverTokensPerSecond: Stats?
        public var promptTokensPerSecond: Stats?
        public var outputTokens: Stats?
        /// All streams' tokens over the wall time of their runs, with `concurrency` at once.
        public var aggregateTokensPerSecond: Double?
        public var failures: [String] = []

        public var record: JSONObject {
            var o: JSONObject = ["type": "bench", "model": .string(model), "runs": .int(settings.runs), "concurrency": .int(settings.concurrency),
                                 "prompt_words": .int(settings.promptWords), "max_tokens": .int(settings.maxTokens),
                                 "prompt": .string(settings.prompt)]
            o.set("ttft_ms", ttftMs?.json)
            o.set("tokens_per_second", tokensPerSecond?.json)
            o.set("server_tokens_per_second", serverTokensPerSecond?.json)
            o.set("prompt_tokens_per_second", promptTokensPerSecond?.json)
            o.set("output_tokens", outputTokens?.json)
            o.set("aggregate_tokens_per_second", aggregateTokensPerSecond.map { .double(($0 * 10).rounded() / 10) })
            if !failures.isEmpty { o["errors"] = .array(failures.map(JSONValue.string)) }
            return o
        }
    }

    public func run(_ model: ModelReference, provider: any Provider) async -> Result {
        var options = RequestOptions()
        options.maxTokens = maxTokens
        options.temperature = 0
        options.seed = 1
        options.idleTimeout = 120
        options.timeout = 600  // a run that trickles a token a minute still ends
        let request = CompletionRequest(model: model, messages: [.user(prompt)], options: options)
        var result = Result(model: model.description, settings: self)
        _ = await once(request, provider)  // warm-up: loads the model, fills caches
        var samples: [Sample] = []
        var wall = 0.0
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let batch = await withTaskGroup(of: Swift.Result<Sample, LLMError>.self) { group in
                for _ in 0..<concurrency { group.addTask { await once(request, provider) } }
                var all: [Swift.Result<Sample, LLMError>] = []
                for await one in group { all.append(one) }
                return all
            }
            wall += (ContinuousClock.now - start) / .seconds(1)
            for one in batch {
                switch one {
                case .success(let sample): samples.append(sample)
                case .failure(let error): result.failures.append(error.message)
                }
            }
        }
        result.ttftMs = Stats(samples.map(\.ttftMs))
        result.tokensPerSecond = Stats(samples.compactMap(\.clientRate))
        result.serverTokensPerSecond = Stats(samples.compactMap(\.serverRate))
        result.promptTokensPerSecond = Stats(samples.compactMap(\.promptRate))
        result.outputTokens = Stats(samples.map { Double($0.outputTokens) })
        if wall > 0, !samples.isEmpty { result.aggregateTokensPerSecond = Double(samples.reduce(0) { $0 + $1.outputTokens }) / wall }
        return result
    }

    /// One stream, measured. Tokens are the server's count where it gives one, else the
    /// pieces streamed (a piece is a token on every server llmkit knows).
    private func once(_ request: CompletionRequest, _ provider: any Provider) async -> Swift.Result<Sample, LLMError> {
        let pieces = Atomic<Int>(0)
        let collector = StreamCollector { deltas in
            pieces.add(deltas.count, ordering: .relaxed)
            return true
        }
        let outcome = await provider.stream(request, into: collector)
        if let error = outcome.error { return .failure(error) }
        let timings = outcome.message.timings ?? Timings()
        let tokens = outcome.message.usage?.outputTokens ?? pieces.load(ordering: .relaxed)
        let ttft = timings.ttftMs ?? timings.totalMs ?? 0
        let total = timings.totalMs ?? 0
        let generating = (total - ttft) / 1000
        return .success(Sample(ttftMs: ttft, totalMs: total, outputTokens: tokens,
                               clientRate: generating > 0 && tokens > 1 ? Double(tokens - 1) / generating : nil,
                               serverRate: timings.rateFromServer ? timings.tokensPerSecond : nil,
                               promptRate: timings.promptTokensPerSecond))
    }
}
