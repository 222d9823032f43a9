/// What one model's tokens cost, in US dollars per token.
public struct ModelPrice: Sendable, Equatable {
    /// The rates above a prompt size (`input_cost_per_token_above_200k_tokens`…): when a
    /// request's prompt crosses `threshold`, the whole request is priced at them.
    public struct Rates: Sendable, Equatable {
        public var input: Double
        public var output: Double
        public var cacheRead: Double?
        public var cacheWrite: Double?
        public var cacheWriteOneHour: Double?
        /// Reasoning tokens, where priced apart from other output.
        public var reasoning: Double?
    }

    public var base: Rates
    /// Sorted by threshold, in prompt tokens.
    public var tiers: [(threshold: Int, rates: Rates)] = []
    /// US dollars an hour of the request's wall time: a rented GPU running a local model.
    public var perHour: Double?

    public static func == (a: ModelPrice, b: ModelPrice) -> Bool {
        a.base == b.base && a.tiers.map(\.threshold) == b.tiers.map(\.threshold) && a.tiers.map(\.rates) == b.tiers.map(\.rates)
            && a.perHour == b.perHour
    }

    public init(base: Rates, tiers: [(threshold: Int, rates: Rates)] = [], perHour: Double? = nil) {
        self.base = base
        self.tiers = tiers.sorted { $0.threshold < $1.threshold }
        self.perHour = perHour
    }

    /// A LiteLLM `model_prices_and_context_window.json` entry; nil without token prices.
    public init?(litellm entry: JSONObject) {
        // A price that is negative or not finite is no price: it must not cut a total.
        let valid = entry.entries.allSatisfy { key, value in
            !key.contains("cost_per") && !key.hasSuffix("_token_cost") && !key.contains("_token_cost_")
                || value.doubleValue.map { $0.isFinite && $0 >= 0 } ?? true
        }
        guard valid else { return nil }
        func rates(_ suffix: String) -> Rates? {
            guard let input = entry["input_cost_per_token" + suffix]?.doubleValue else { return nil }
            let output = entry["output_cost_per_token" + suffix]?.doubleValue
            guard let output = output ?? (suffix.isEmpty ? nil : entry["output_cost_per_token"]?.doubleValue) else { return nil }
            return Rates(input: input, output: output,
                         cacheRead: entry["cache_read_input_token_cost" + suffix]?.doubleValue,
                         cacheWrite: entry["cache_creation_input_token_cost" + suffix]?.doubleValue,
                         cacheWriteOneHour: entry["cache_creation_input_token_cost_above_1hr" + suffix]?.doubleValue,
                         reasoning: entry["output_cost_per_reasoning_token" + suffix]?.doubleValue)
        }
        guard let base = rates("") else { return nil }
        var tiers: [(Int, Rates)] = []
        for (key, _) in entry.entries where key.hasPrefix("input_cost_per_token_above_") && key.hasSuffix("k_tokens") {
            let suffix = String(key.dropFirst("input_cost_per_token".count))
            guard let thousands = Int(suffix.dropFirst("_above_".count).dropLast("k_tokens".count)), thousands < Int.max / 1000,
                  var tier = rates(suffix) else { continue }
            // Parts a tier leaves out keep their base price.
            tier.cacheRead = tier.cacheRead ?? base.cacheRead
            tier.cacheWrite = tier.cacheWrite ?? base.cacheWrite
            tier.cacheWriteOneHour = tier.cacheWriteOneHour ?? base.cacheWriteOneHour
            tier.reasoning = tier.reasoning ?? base.reasoning
            tiers.append((thousands * 1000, tier))
        }
        self.init(base: base, tiers: tiers)
    }

    /// The rates for a request whose prompt is `promptTokens` long.
    public func rates(forPrompt promptTokens: Int) -> Rates {
        tiers.last { promptTokens > $0.threshold }?.rates ?? base
    }
}

/// A request's cost, in US dollars, by part.
public struct Cost: Sendable, Equatable {
    public var input = 0.0
    public var cacheRead = 0.0
    public var cacheWrite = 0.0
    public var output = 0.0
    /// An hourly rate spread over the request's wall time.
    public var time = 0.0
    public var total: Double { input + cacheRead + cacheWrite + output + time }

    public init() {}

    public var json: JSONValue {
        func usd(_ v: Double) -> JSONValue { .double((v * 1e8).rounded() / 1e8) }
        var parts: JSONObject = ["usd": usd(total), "input": usd(input), "cache_read": usd(cacheRead), "cache_write": usd(cacheWrite), "output": usd(output)]
        if time > 0 { parts["time"] = usd(time) }
        return .object(parts)
    }

    /// The cost rules (the man page has them too): uncached input = input − cache reads −
    /// cache writes, each part at its own price (a part with no price of its own at the
    /// input price); reasoning at the output price unless priced apart; when the prompt
    /// crosses a long-context tier, the whole request at that tier's rates.
    public static func of(_ usage: Usage, at price: ModelPrice, wallMs: Double? = nil) -> Cost {
        let prompt = max(0, usage.inputTokens ?? 0)
        let read = max(0, usage.cacheReadTokens ?? 0), written = max(0, usage.cacheWriteTokens ?? 0)
        let rates = price.rates(forPrompt: prompt)
        var cost = Cost()
        // In Double: a server's counts may be anything, and Int.max - Int.max - 1 traps.
        cost.input = max(0, Double(prompt) - Double(read) - Double(written)) * rates.input
        cost.cacheRead = Double(read) * (rates.cacheRead ?? rates.input)
        let oneHour = min(written, max(0, usage.cacheWriteOneHourTokens ?? 0))
        let fiveMinute = rates.cacheWrite ?? rates.input
        cost.cacheWrite = Double(written - oneHour) * fiveMinute + Double(oneHour) * (rates.cacheWriteOneHour ?? fiveMinute)
        let output = max(0, usage.outputTokens ?? 0), reasoning = min(output, max(0, usage.reasoningTokens ?? 0))
        cost.output = Double(output - reasoning) * rates.output + Double(reasoning) * (rates.reasoning ?? rates.output)
        if let perHour = price.perHour, let wallMs, wallMs.isFinite, wallMs > 0 { cost.time = perHour * min(wallMs, 86_400_000) / 3_600_000 }
        return cost
    }

    public static func + (a: Cost, b: Cost) -> Cost {
        var sum = Cost()
        sum.input = a.input + b.input
        sum.cacheRead = a.cacheRead + b.cacheRead
        sum.cacheWrite = a.cacheWrite + b.cacheWrite
        sum.output = a.output + b.output
        sum.time = a.time + b.time
        return sum
    }
}
