#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reads records and adds up what their assistant messages cost: the heart of `llm-cost`.
///
/// A line with no `"usage"` in it is passed over by a byte search, without a JSON tree:
/// logs are mostly other records, and a month of them is millions of lines.
public struct CostTally: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        /// `day` and `hour` are local time (as `date` prints it; TZ=UTC for UTC), from the
        /// message's `created` (Unix seconds, which llmkit writes on every reply); `tag`
        /// is the message's `tag` (`llm-complete --tag`), or its batch line's.
        case model, provider, id, day, hour, tag
    }

    public struct Totals: Sendable {
        public var requests = 0
        public var inputTokens = 0
        public var outputTokens = 0
        public var cacheReadTokens = 0
        public var cacheWriteTokens = 0
        public var reasoningTokens = 0
        public var cost = Cost()

        mutating func add(_ usage: Usage, _ cost: Cost) {
            requests += 1
            // A server's counts may be anything: negatives count as none, sums saturate.
            func plus(_ total: Int, _ count: Int?) -> Int { Usage.sum(total, max(0, count ?? 0)) }
            inputTokens = plus(inputTokens, usage.inputTokens)
            outputTokens = plus(outputTokens, usage.outputTokens)
            cacheReadTokens = plus(cacheReadTokens, usage.cacheReadTokens)
            cacheWriteTokens = plus(cacheWriteTokens, usage.cacheWriteTokens)
            reasoningTokens = plus(reasoningTokens, usage.reasoningTokens)
            self.cost = self.cost + cost
        }

        func json(key: String?) -> JSONObject {
            var o = JSONObject()
            o.set("key", key.map(JSONValue.string))
            o["usd"] = .double((cost.total * 1e6).rounded() / 1e6)
            o["requests"] = .int(requests)
            o["input_tokens"] = .int(inputTokens)
            o["cache_read_tokens"] = .int(cacheReadTokens)
            o["cache_write_tokens"] = .int(cacheWriteTokens)
            o["output_tokens"] = .int(outputTokens)
            o["reasoning_tokens"] = .int(reasoningTokens)
            return o
        }
    }

    public let prices: PriceTable
    public let grouping: Grouping
    public private(set) var total = Totals()
    public private(set) var groups: [String: Totals] = [:]
    private var order: [String] = []
    /// Messages whose model no table prices, by model: reported, never counted as free.
    public private(set) var unpriced: [String: Int] = [:]
    /// Assistant messages with no usage at all.
    public private(set) var withoutUsage = 0
    /// The ledger's total for its period, this run included, once the run is entered in it.
    public var ledger: (period: Ledger.Period, usd: Double)?

    /// `--estimate`: request lines are priced at their worst case instead of replies at
    /// their usage; the model and `max_tokens` of a request that names none.
    public private(set) var estimating: (model: String?, maxTokens: Int?)?
    /// Estimated requests that set no `max_tokens`: only their prompt is counted.
    public private(set) var unbounded = 0
    /// Each model's price, looked up once: a month of logs names a handful of models.
    private var lookups: [String: PriceTable.Lookup] = [:]
    /// Messages of a plain conversation, estimated as one request at the end.
    private var conversation: [JSONValue] = []

    public init(prices: PriceTable, grouping: Grouping = .model) {
        self.prices = prices
        self.grouping = grouping
    }

    public init(estimating prices: PriceTable, grouping: Grouping = .model, model: String?, maxTokens: Int?) {
        self.init(prices: prices, grouping: grouping)
        estimating = (model, maxTokens)
    }

    /// A request line's worst case; message lines gather into one conversation, priced by
    /// `finish()`.
    private mutating func estimate(line: [UInt8], number: Int) throws(LLMError) {
        guard let record = try Self.parse(line, number: number) else { return }
        if var request = RequestEstimate(request: record) {
            add(estimate: &request, outer: record)
        } else if record["role"] != nil, record["type"] == nil {
            conversation.append(.object(record))
        }
    }

    private mutating func add(estimate request: inout RequestEstimate, outer: JSONObject?) {
        request.model = request.model ?? estimating?.model
        request.maxOutputTokens = request.maxOutputTokens ?? estimating?.maxTokens
        if request.maxOutputTokens == nil { unbounded += 1 }
        _ = add(request.usage, model: request.model ?? "unknown", message: JSONObject(), outer: outer)
    }

    /// Prices what is still gathered: the plain conversation of `--estimate`.
    public mutating func finish() {
        guard estimating != nil, conversation.contains(where: { $0["role"] != "system" }) else { return }
        var request = RequestEstimate(messages: conversation, tools: nil, model: nil, maxTokens: nil)
        conversation = []
        add(estimate: &request, outer: nil)
    }

    private static func parse(_ line: [UInt8], number: Int) throws(LLMError) -> JSONObject? {
        do {
            return try JSONParser.parse(line).objectValue
        } catch {
            throw LLMError(.invalidInput, "line \(number) is not a JSON record: \(error)")
        }
    }

    /// One line of input. Returns the line to pass on when `annotate` is set (the same
    /// bytes unless it held a priced message, which gains `cost`).
    public mutating func add(line: [UInt8], number: Int, annotate: Bool) throws(LLMError) -> [UInt8]? {
        if estimating != nil {
            try estimate(line: line, number: number)
            return nil
        }
        guard Self.contains(line, "\"usage\"") else {
            if Self.contains(line, "\"assistant\"") { withoutUsage += 1 }
            return annotate ? line : nil
        }
        guard var record = try Self.parse(line, number: number) else { return annotate ? line : nil }
        // A message itself, or a batch result carrying one (`{"id","message":{…}}`).
        if record["role"] == "assistant" {
            guard let cost = add(record, outer: nil) else { return annotate ? line : nil }
            guard annotate else { return nil }
            record["cost"] = cost.json
        } else if var message = record["message"]?.objectValue, message["role"] == "assistant" {
            guard let cost = add(message, outer: record) else { return annotate ? line : nil }
            guard annotate else { return nil }
            message["cost"] = cost.json
            record["message"] = .object(message)
        } else {
            return annotate ? line : nil
        }
        var bytes: [UInt8] = []
        record.write(to: &bytes)
        return bytes
    }

    /// `outer`: the batch result line that carries `message`, for its `id` and `tag`.
    private mutating func add(_ message: JSONObject, outer: JSONObject?) -> Cost? {
        guard let usage = Usage(json: message["usage"]), !usage.isEmpty else {
            withoutUsage += 1
            return nil
        }
        return add(usage, model: message["model"]?.stringValue ?? "unknown", message: message, outer: outer)
    }

    /// `message` and `outer` give the grouping keys and, for an hourly price, the wall time.
    private mutating func add(_ usage: Usage, model: String, message: JSONObject, outer: JSONObject?) -> Cost? {
        let lookup: PriceTable.Lookup
        if let known = lookups[model] {
            lookup = known
        } else {
            lookup = prices.price(for: model)
            if lookups.count < 10_000 { lookups[model] = lookup }
        }
        let cost: Cost
        switch lookup {
        case .priced(let price):
            cost = Cost.of(usage, at: price, wallMs: price.perHour == nil ? nil : Timings(json: message["timings"])?.totalMs)
        case .free: cost = Cost()
        case .unknown:
            unpriced[model, default: 0] += 1
            return nil
        }
        total.add(usage, cost)
        let key: String = switch grouping {
        case .model: model
        case .provider: model.split(separator: "/").first.map(String.init) ?? model
        case .id: (outer?["id"] ?? outer?["custom_id"] ?? message["id"])?.stringValue ?? "(no id)"
        case .day: Self.localTime(message["created"] ?? outer?["created"], format: "%Y-%m-%d") ?? "(no time)"
        case .hour: Self.localTime(message["created"] ?? outer?["created"], format: "%Y-%m-%d %H:00") ?? "(no time)"
        case .tag: (message["tag"] ?? outer?["tag"])?.stringValue ?? "(no tag)"
        }
        if groups[key] == nil { order.append(key) }
        groups[key, default: Totals()].add(usage, cost)
        return cost
    }

    /// Unix seconds as local time, by a strftime format.
    static func localTime(_ value: JSONValue?, format: String) -> String? {
        guard let seconds = value?.doubleValue, seconds.isFinite, abs(seconds) < 1e11 else { return nil }
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return nil }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, format, &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `needle` occurs in `line`: `memchr` finds each candidate first byte.
    static func contains(_ line: [UInt8], _ needle: StaticString) -> Bool {
        let count = needle.utf8CodeUnitCount
        return line.withUnsafeBytes { haystack -> Bool in
            guard let base = haystack.baseAddress, haystack.count >= count else { return false }
            var offset = 0
            while offset <= haystack.count - count {
                guard let hit = memchr(base + offset, Int32(needle.utf8Start[0]), haystack.count - count - offset + 1) else { return false }
                let at = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + at, needle.utf8Start, count) == 0 { return true }
                offset = at + 1
            }
            return false
        }
    }

    /// Days and hours in time order (the daily report); other groups the costliest first.
    private var orderedKeys: [String] {
        switch grouping {
        case .day, .hour: order.sorted()
        default: order.sorted { groups[$0]!.cost.total > groups[$1]!.cost.total }
        }
    }

    /// The `cost` summary record.
    public var record: JSONObject {
        var o: JSONObject = ["type": "cost"]
        if estimating != nil { o["estimate"] = true }
        for (key, value) in total.json(key: nil).entries { o[key] = value }
        o["by"] = .string(grouping.rawValue)
        o["groups"] = .array(orderedKeys.map { .object(groups[$0]!.json(key: $0)) })
        if !unpriced.isEmpty {
            o["unpriced_requests"] = .int(unpriced.values.reduce(0, +))
            o["unpriced_models"] = .object(JSONObject(unpriced.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int($0.value)) }))
        }
        if withoutUsage > 0 { o["without_usage"] = .int(withoutUsage) }
        if unbounded > 0 { o["unbounded_requests"] = .int(unbounded) }
        if let ledger { o["ledger"] = ["period": .string(ledger.period.rawValue), "usd": .double((ledger.usd * 1e6).rounded() / 1e6)] }
        o["prices"] = .array(prices.sources.map(JSONValue.string))
        return o
    }

    /// A table a person reads at a glance: one line a group, the total last.
    public var table: String {
        func usd(_ v: Double) -> String { String(format: "$%.4f", v) }
        var rows = [[grouping.rawValue.uppercased(), "REQUESTS", "INPUT", "CACHED", "OUTPUT", "COST"]]
        for key in orderedKeys {
            let g = groups[key]!
            rows.append([key, "\(g.requests)", "\(g.inputTokens)", "\(g.cacheReadTokens)", "\(g.outputTokens)", usd(g.cost.total)])
        }
        rows.append(["TOTAL", "\(total.requests)", "\(total.inputTokens)", "\(total.cacheReadTokens)", "\(total.outputTokens)", usd(total.cost.total)])
        // Each cell escaped before the layout: a newline in a tag or model name cannot make
        // a row of its own, and an escape sequence cannot move the columns.
        let cells = rows.map { $0.map { TerminalText.escaped($0, keepingLineBreaks: false) } }
        var lines = TextTable.lines(cells, rightAligned: Set(1..<rows[0].count))
        lines.insert(String(repeating: "-", count: lines[0].count), at: lines.count - 1)
        for (model, count) in unpriced.sorted(by: { $0.key < $1.key }) { lines.append("unpriced: \(TerminalText.escaped(model, keepingLineBreaks: false)) (\(count) request\(count == 1 ? "" : "s")): no price for it") }
        if withoutUsage > 0 { lines.append("without usage: \(withoutUsage) assistant message\(withoutUsage == 1 ? "" : "s")") }
        if estimating != nil { lines.insert("estimate: prompts approximated, every reply at its max_tokens (the worst case)", at: 0) }
        if unbounded > 0 { lines.append("unbounded: \(unbounded) request\(unbounded == 1 ? "" : "s") with no max_tokens: only the prompt is counted") }
        if let ledger { lines.append("ledger: \(usd(ledger.usd)) \(ledger.period.phrase)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
