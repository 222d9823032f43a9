/// How one OpenAI-compatible server departs from OpenAI's own API, from the provider's
/// `options` (a preset's, or the config's).
public struct OpenAIDialect: Sendable {
    /// How a server wants a JSON Schema for structured output.
    public enum StructuredOutput: String, Sendable {
        /// OpenAI's `{"type":"json_schema","json_schema":{"name","schema"}}`.
        case jsonSchema = "json_schema"
        /// llama.cpp's `{"type":"json_object","schema":{…}}`: llama-cpp-python accepts only this.
        case jsonObject = "json_object"
    }

    /// What a server accepts as a tool call id.
    public enum CallIDs: String, Sendable {
        case any
        /// Mistral: exactly nine letters and digits; other ids are rewritten, the same way
        /// in the assistant turn and in the tool result, so they still pair up.
        case alphanumeric9
    }

    /// The request field for `--max-tokens`, where one is configured; otherwise decided by
    /// the endpoint (`maxTokensField(for:)`).
    public var maxTokensField: String?
    public var structuredOutput = StructuredOutput.jsonSchema
    /// Mistral calls it `random_seed`.
    public var seedField = "seed"
    public var callIDs = CallIDs.any

    public static let optionKeys: Set<String> = ["max_tokens_field", "structured_output", "seed_field", "tool_call_ids"]

    public init() {}

    public init(_ options: JSONObject) {
        maxTokensField = options["max_tokens_field"]?.stringValue
        if let style = options["structured_output"]?.stringValue.flatMap(StructuredOutput.init(rawValue:)) { structuredOutput = style }
        if let field = options["seed_field"]?.stringValue { seedField = field }
        if let ids = options["tool_call_ids"]?.stringValue.flatMap(CallIDs.init(rawValue:)) { callIDs = ids }
    }

    static func problem(in options: JSONObject) -> String? {
        for key in ["max_tokens_field", "seed_field"] where options[key] != nil && options[key]?.stringValue?.isEmpty != false {
            return "\(key) must be a field name"
        }
        if let style = options["structured_output"], style.stringValue.flatMap(StructuredOutput.init(rawValue:)) == nil {
            return "structured_output must be json_schema or json_object"
        }
        if let ids = options["tool_call_ids"], ids.stringValue.flatMap(CallIDs.init(rawValue:)) == nil {
            return "tool_call_ids must be any or alphanumeric9"
        }
        return nil
    }

    /// OpenAI's own API wants `max_completion_tokens` (its reasoning models refuse
    /// `max_tokens`); every other server, proxies of OpenAI included, knows only `max_tokens`
    /// and silently ignores the newer name.
    public func maxTokensField(for url: String) -> String {
        if let maxTokensField { return maxTokensField }
        return (try? ParsedURL(url))?.host == "api.openai.com" ? "max_completion_tokens" : "max_tokens"
    }

    /// The id as this server accepts it.
    func callID(_ id: String) -> String {
        switch callIDs {
        case .any: return id
        case .alphanumeric9: return CallID.alphanumeric(id, length: 9)
        }
    }
}
