/// Request settings from one source: flags, environment, an `options` record, a batch
/// line or the config. Sources are layered with `over`, highest precedence on the left.
public struct RequestOptions: Sendable, Equatable {
    public var model: String?
    public var system: String?
    public var temperature: Double?
    public var maxTokens: Int?
    public var stop: [String]?
    public var seed: Int?
    /// A JSON Schema the reply must follow (structured output).
    public var schema: JSONValue?
    public var timeout: Double?
    /// Seconds a stream may go without a byte before it is given up as stalled.
    public var idleTimeout: Double?
    public var apiBase: String?
    /// Other request-body fields (`top_p`, `tool_choice`, …) for the provider as they are.
    public var extra: JSONObject = JSONObject()

    public init() {}

    /// `self` wins where it has a value; `lower` fills the gaps.
    public func over(_ lower: RequestOptions) -> RequestOptions {
        var merged = self
        merged.model = model ?? lower.model
        merged.system = system ?? lower.system
        merged.temperature = temperature ?? lower.temperature
        merged.maxTokens = maxTokens ?? lower.maxTokens
        merged.stop = stop ?? lower.stop
        merged.seed = seed ?? lower.seed
        merged.schema = schema ?? lower.schema
        merged.timeout = timeout ?? lower.timeout
        merged.idleTimeout = idleTimeout ?? lower.idleTimeout
        merged.apiBase = apiBase ?? lower.apiBase
        for (key, value) in lower.extra.entries where merged.extra[key] == nil { merged.extra[key] = value }
        return merged
    }

    /// The longest wait any setting may ask for (about 11 days): beyond it a number is a
    /// mistake, and it would overflow the clocks it is turned into.
    public static let maxSeconds = 1e6

    /// Fields that say where a request goes or as whom: input records may not set them
    /// (DESIGN §8), whoever wrote the input.
    public static let untrustedFields: Set<String> = [
        "api_base", "base_url", "url", "headers", "extra_headers", "api_key", "api_key_env", "api_key_cmd",
    ]

    /// Fields of an `options` record or a batch request body. Fields that are not settings
    /// (`messages`, `tools`, `stream`) are left for the caller; fields that would choose the
    /// endpoint, headers or credentials are refused.
    public init(json object: JSONObject) throws(LLMError) {
        for (key, value) in object.entries {
            if Self.untrustedFields.contains(key) {
                throw LLMError(.invalidInput, "\"\(key)\" cannot be set by an input record: records choose what to ask, "
                               + "not where or as whom (use --api-base, LLMKIT_API_BASE or the config file)")
            }
            switch key {
            case "model": model = try Self.string(value, key)
            case "system": system = try Self.string(value, key)
            case "temperature": temperature = try Self.number(value, key, atLeast: 0)
            case "max_tokens", "max_completion_tokens", "max_output_tokens": maxTokens = try Self.int(value, key, atLeast: 1)
            case "seed": seed = try Self.int(value, key)
            case "timeout": timeout = try Self.seconds(value, key)
            case "idle_timeout": idleTimeout = try Self.seconds(value, key)
            case "stop":
                switch value {
                case .string(let s): stop = [s]
                case .array(let items):
                    stop = try items.map { item throws(LLMError) in try Self.string(item, key) }
                case .null: stop = nil
                default: throw LLMError(.invalidInput, "\"stop\" must be a string or an array of strings")
                }
            case "schema": schema = value
            case "response_format":
                if let schema = value["json_schema"]?["schema"] ?? value["schema"] {
                    self.schema = schema
                } else {
                    extra[key] = value
                }
            case "messages", "tools", "stream", "stream_options", "type", "n": continue
            default:
                if let path = Self.nonFiniteNumber(in: value) {
                    throw LLMError(.invalidInput, "\"\(key)\(path)\" must be a finite number")
                }
                extra[key] = value
            }
        }
    }

    /// `LLMKIT_MODEL`, `LLMKIT_TIMEOUT`, `LLMKIT_API_BASE`.
    public init(environment: Environment) throws(LLMError) {
        model = environment["LLMKIT_MODEL"]
        if let base = environment["LLMKIT_API_BASE"] {
            do {
                apiBase = try ParsedURL(base).url
            } catch {
                throw LLMError(.configuration, "LLMKIT_API_BASE: \(error)")
            }
        }
        if let timeout = environment["LLMKIT_TIMEOUT"] {
            guard let seconds = Double(timeout), seconds > 0, seconds <= Self.maxSeconds else {
                throw LLMError(.configuration, "LLMKIT_TIMEOUT must be a number of seconds, not \"\(timeout)\"")
            }
            self.timeout = seconds
        }
    }

    private static func string(_ value: JSONValue, _ key: String) throws(LLMError) -> String {
        guard let s = value.stringValue else { throw LLMError(.invalidInput, "\"\(key)\" must be a string") }
        return s
    }
    private static func number(_ value: JSONValue, _ key: String, atLeast minimum: Double? = nil, above floor: Double? = nil) throws(LLMError) -> Double {
        guard let d = value.doubleValue else { throw LLMError(.invalidInput, "\"\(key)\" must be a number") }
        guard d.isFinite else { throw LLMError(.invalidInput, "\"\(key)\" must be a finite number, not \(value.serialized)") }
        if let minimum, d < minimum { throw LLMError(.invalidInput, "\"\(key)\" must be at least \(minimum.formatted())") }
        if let floor, d <= floor { throw LLMError(.invalidInput, "\"\(key)\" must be more than \(floor.formatted())") }
        return d
    }
    private static func seconds(_ value: JSONValue, _ key: String) throws(LLMError) -> Double {
        let seconds = try number(value, key, above: 0)
        guard seconds <= maxSeconds else { throw LLMError(.invalidInput, "\"\(key)\" must be at most \(Int(maxSeconds)) seconds") }
        return seconds
    }
    private static func int(_ value: JSONValue, _ key: String, atLeast minimum: Int? = nil) throws(LLMError) -> Int {
        guard let i = value.intValue else { throw LLMError(.invalidInput, "\"\(key)\" must be an integer") }
        if let minimum, i < minimum { throw LLMError(.invalidInput, "\"\(key)\" must be at least \(minimum)") }
        return i
    }

    /// Where in `value` a number is not finite (`1e999`), as a path like `[2].x`; nil if none.
    static func nonFiniteNumber(in value: JSONValue) -> String? {
        switch value {
        case .number: return value.doubleValue?.isFinite == false ? "" : nil
        case .array(let items):
            for (i, item) in items.enumerated() { if let path = nonFiniteNumber(in: item) { return "[\(i)]" + path } }
            return nil
        case .object(let object):
            for (key, item) in object.entries { if let path = nonFiniteNumber(in: item) { return "." + key + path } }
            return nil
        default: return nil
        }
    }
}
