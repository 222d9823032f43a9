/// Token counts normalized so totals add up across providers (DESIGN §2).
///
/// `inputTokens` includes cached tokens and `outputTokens` includes reasoning tokens; the
/// cache and reasoning counts are parts of them. A count the provider did not report stays
/// `nil` and is left out of the record, never guessed as 0.
public struct Usage: Sendable, Equatable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cacheReadTokens: Int?
    public var cacheWriteTokens: Int?
    /// The part of `cacheWriteTokens` written to a 1-hour cache (Anthropic), which costs more.
    public var cacheWriteOneHourTokens: Int?
    public var reasoningTokens: Int?

    public init(
        inputTokens: Int? = nil, outputTokens: Int? = nil, cacheReadTokens: Int? = nil,
        cacheWriteTokens: Int? = nil, reasoningTokens: Int? = nil
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    // Key paths are immutable values; Swift 6.3 just does not mark them Sendable.
    nonisolated(unsafe) private static let fields: [(String, WritableKeyPath<Usage, Int?>)] = [
        ("input_tokens", \.inputTokens), ("output_tokens", \.outputTokens),
        ("cache_read_tokens", \.cacheReadTokens), ("cache_write_tokens", \.cacheWriteTokens), ("cache_write_1h_tokens", \.cacheWriteOneHourTokens),
        ("reasoning_tokens", \.reasoningTokens),
    ]

    public init?(json: JSONValue?) {
        guard let object = json?.objectValue else { return nil }
        for (key, path) in Self.fields { self[keyPath: path] = object[key]?.intValue }
    }

    public var isEmpty: Bool { Self.fields.allSatisfy { self[keyPath: $0.1] == nil } }

    /// Counts added as providers need (Anthropic's cached input, Gemini's thoughts), where
    /// a server's numbers may be anything: saturating, never trapping.
    static func sum(_ first: Int, _ rest: Int?...) -> Int {
        rest.reduce(first) { total, next in
            let (value, overflow) = total.addingReportingOverflow(next ?? 0)
            return overflow ? (next ?? 0 < 0 ? Int.min : Int.max) : value
        }
    }

    /// Two replies' usage together (an agent's turns): a count either reported is kept.
    public func adding(_ other: Usage) -> Usage {
        var total = self
        for (_, path) in Self.fields {
            guard let b = other[keyPath: path] else { continue }
            total[keyPath: path] = self[keyPath: path].map { Self.sum($0, b) } ?? b
        }
        return total
    }

    public var json: JSONValue {
        var o = JSONObject()
        for (key, path) in Self.fields { o.set(key, self[keyPath: path].map(JSONValue.int)) }
        return .object(o)
    }
}

/// How long a completion took, as the client saw it (and the server's own rate where given).
public struct Timings: Sendable, Equatable {
    public var ttftMs: Double?
    public var totalMs: Double?
    /// Generation speed: the server's own figure where it gives one.
    public var tokensPerSecond: Double?
    /// Prompt processing speed, where the server reports it (Ollama).
    public var promptTokensPerSecond: Double?
    /// Time the server spent loading the model for this request (Ollama).
    public var loadMs: Double?
    /// `tokensPerSecond` is the server's own figure, not ours (not written to records:
    /// a benchmark shows both).
    public var rateFromServer = false

    public init(ttftMs: Double? = nil, totalMs: Double? = nil, tokensPerSecond: Double? = nil,
                promptTokensPerSecond: Double? = nil, loadMs: Double? = nil) {
        self.ttftMs = ttftMs
        self.totalMs = totalMs
        self.tokensPerSecond = tokensPerSecond
        self.promptTokensPerSecond = promptTokensPerSecond
        self.loadMs = loadMs
    }

    public init?(json: JSONValue?) {
        guard let o = json?.objectValue else { return nil }
        ttftMs = o["ttft_ms"]?.doubleValue
        totalMs = o["total_ms"]?.doubleValue
        tokensPerSecond = o["tokens_per_second"]?.doubleValue
        promptTokensPerSecond = o["prompt_tokens_per_second"]?.doubleValue
        loadMs = o["load_ms"]?.doubleValue
    }

    public var json: JSONValue {
        var o = JSONObject()
        o.set("ttft_ms", ttftMs.map(Self.rounded))
        o.set("total_ms", totalMs.map(Self.rounded))
        o.set("tokens_per_second", tokensPerSecond.map(Self.rounded))
        o.set("prompt_tokens_per_second", promptTokensPerSecond.map(Self.rounded))
        o.set("load_ms", loadMs.map(Self.rounded))
        return .object(o)
    }

    /// Our clock's figures, with what the server measured itself where it did.
    func measuring(totalMs: Double?, ttftMs: Double? = nil, fallbackRate: Double?) -> Timings {
        var timings = Timings(ttftMs: ttftMs, totalMs: totalMs, tokensPerSecond: tokensPerSecond ?? fallbackRate,
                              promptTokensPerSecond: promptTokensPerSecond, loadMs: loadMs)
        timings.rateFromServer = rateFromServer || tokensPerSecond != nil
        return timings
    }

    /// A tenth of a millisecond is finer than any clock here is honest about.
    private static func rounded(_ value: Double) -> JSONValue {
        .double((value * 10).rounded() / 10)
    }
}
