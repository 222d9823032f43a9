import Foundation

/// Prices by model name, and how a `provider/model` string finds its price.
public struct PriceTable: Sendable {
    private var prices: [String: ModelPrice] = [:]
    /// Where the prices came from, for the summary record.
    public var sources: [String] = []

    /// Providers that run on the user's own hardware: free unless the config prices them.
    public static let localProviders: Set<String> = ["ollama", "ollama_chat", "llamacpp", "vllm", "lm_studio", "localai", "textgen", "cmd", "mock"]

    public init() {}

    /// The table llmkit ships: LiteLLM's prices for the hosted providers it speaks.
    public static let builtin: PriceTable = {
        var table = PriceTable()
        if let json = try? JSONParser.parse(BuiltinPrices.json) { table.add(litellm: json, source: BuiltinPrices.source) }
        return table
    }()

    public var count: Int { prices.count }

    /// Entries of a LiteLLM price file; those without token prices (images, audio,
    /// embeddings) are left out. Returns how many were taken.
    @discardableResult
    public mutating func add(litellm json: JSONValue, source: String) -> Int {
        var taken = 0
        for (name, value) in json.objectValue?.entries ?? [] {
            guard let entry = value.objectValue, entry["mode"].map({ $0 == "chat" }) ?? true, let price = ModelPrice(litellm: entry) else { continue }
            prices[name.lowercased()] = price
            taken += 1
        }
        sources.append(source)
        return taken
    }

    /// Our own form (and the config's `prices:`), US dollars per million tokens:
    /// `{"model": {"input": 3, "output": 15, "cache_read": 0.3, "cache_write": 3.75,
    /// "cache_write_1h": 6, "reasoning": 15}}`, or by the hour of wall time for a rented
    /// GPU, `{"gpu-box/*": {"per_hour": 2.5}}`. `provider/*` prices every model of it.
    @discardableResult
    public mutating func add(ownFormat json: JSONValue, source: String) throws(LLMError) -> Int {
        var taken = 0
        let known = FileKeys.price
        for (name, value) in json.objectValue?.entries ?? [] {
            guard let entry = value.objectValue else { throw LLMError(.configuration, "\(source): the price of \(name) must be a mapping") }
            if let unknown = entry.entries.map(\.0).first(where: { !known.contains($0) }) {
                throw LLMError(.configuration, "\(source): \(name) has \(unknown); a price has \(known.sorted().joined(separator: ", "))")
            }
            func number(_ key: String) throws(LLMError) -> Double? {
                guard let v = entry[key] else { return nil }
                guard let d = v.doubleValue, d.isFinite, d >= 0 else { throw LLMError(.configuration, "\(source): \(name).\(key) must be a number, 0 or more") }
                return d
            }
            let perHour = try number("per_hour")
            let input = try number("input"), output = try number("output")
            guard (input != nil && output != nil) || perHour != nil else {
                throw LLMError(.configuration, "\(source): the price of \(name) needs input and output (US dollars per million tokens), or per_hour")
            }
            let rates = ModelPrice.Rates(input: (input ?? 0) / 1e6, output: (output ?? 0) / 1e6, cacheRead: try number("cache_read").map { $0 / 1e6 },
                                         cacheWrite: try number("cache_write").map { $0 / 1e6 }, cacheWriteOneHour: try number("cache_write_1h").map { $0 / 1e6 },
                                         reasoning: try number("reasoning").map { $0 / 1e6 })
            prices[name.lowercased()] = ModelPrice(base: rates, perHour: perHour)
            taken += 1
        }
        sources.append(source)
        return taken
    }

    /// A price file, LiteLLM's or ours (`--prices FILE`). Returns how many prices it gave.
    @discardableResult
    public mutating func add(contentsOf path: String) throws(LLMError) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { throw LLMError(.configuration, "cannot read price file \(path)") }
        let json: JSONValue
        do { json = try JSONParser.parse(Array(data)) } catch { throw LLMError(.configuration, "price file \(path) is not JSON: \(error)") }
        return try add(file: json, source: path)
    }

    /// LiteLLM's file or ours, told apart by their fields.
    public mutating func add(file json: JSONValue, source: String) throws(LLMError) -> Int {
        let looksLiteLLM = json.objectValue?.entries.contains { $0.1["input_cost_per_token"] != nil } ?? false
        return looksLiteLLM ? add(litellm: json, source: source) : try add(ownFormat: json, source: source)
    }

    /// The price of `model` (`provider/name` as llmkit writes it): the full string, the
    /// name, the provider's LiteLLM prefix with the name, each also without a dated
    /// suffix (`-20250929`, `-2024-08-06`). `.free` for local providers with no price;
    /// `nil` for a model no table knows, which is reported, never priced at 0.
    public func price(for model: String) -> Lookup {
        let lower = model.lowercased()
        let parts = lower.split(separator: "/", maxSplits: 1).map(String.init)
        let provider = parts.count == 2 ? parts[0] : nil
        let name = parts.count == 2 ? parts[1] : lower
        // A local provider's model runs on one's own hardware, whatever it is called: only
        // a price for that provider applies (`ollama/gpt-oss`, `ollama/*`), else it is free.
        if let provider, Self.localProviders.contains(provider) {
            for candidate in [lower, Self.undated(lower), "\(provider)/*"] where prices[candidate] != nil { return .priced(prices[candidate]!) }
            return .free
        }
        // The full name, then a price for the whole provider, then the bare name (the
        // LiteLLM file keys OpenAI's and Anthropic's models without a prefix).
        var candidates = [lower, Self.undated(lower)]
        if let provider { candidates.append("\(provider)/*") }
        candidates += [name, Self.undated(name)]
        for candidate in candidates where prices[candidate] != nil { return .priced(prices[candidate]!) }
        return .unknown
    }

    public enum Lookup: Sendable, Equatable {
        case priced(ModelPrice)
        case free
        case unknown
    }

    /// Without a trailing date: `-20250929` or `-2024-08-06`.
    static func undated(_ name: String) -> String {
        if let match = name.firstMatch(of: /-\d{8}$/) { return String(name[..<match.range.lowerBound]) }
        if let match = name.firstMatch(of: /-\d{4}-\d{2}-\d{2}$/) { return String(name[..<match.range.lowerBound]) }
        return name
    }
}
