/// The wire formats llmkit speaks; a provider is one of these plus its settings.
public enum WireFormat: String, Sendable {
    case openai
    case mock
}

/// How a server wants a JSON Schema for structured output.
public enum StructuredOutputStyle: String, Sendable {
    /// OpenAI's `{"type":"json_schema","json_schema":{"name","schema"}}`.
    case jsonSchema = "json_schema"
    /// llama.cpp's `{"type":"json_object","schema":{…}}`: llama-cpp-python accepts only this.
    case jsonObject = "json_object"
}

/// Everything needed to reach one provider: where, how to authenticate, what to send.
public struct ProviderSettings: Sendable {
    public var name: String
    public var format: WireFormat
    public var apiBase: String?
    /// The environment variable that holds the key.
    public var apiKeyEnv: String?
    /// A shell command that prints the key (`pass show openai`), so keys can live in a
    /// secret manager. Wins over `apiKeyEnv`.
    public var apiKeyCommand: String?
    /// Hosted services need a key; local servers work without one but send it if set.
    public var keyRequired: Bool
    public var headers: [(name: String, value: String)]
    public var timeout: Double?
    /// The request field for `--max-tokens`, where the config names one (`max_tokens_field`).
    /// Otherwise `maxTokensField(for:)` decides by the endpoint.
    public var maxTokensField: String?
    public var structuredOutput: StructuredOutputStyle = .jsonSchema
    /// What to tell a user whose server is not answering.
    public var startHint: String?
    /// The replay file for `mock/script`.
    public var mockScript: String?
    /// Seconds `api_key_cmd` may take (`api_key_timeout`).
    public var apiKeyTimeout = 30.0
    /// The largest non-streamed reply accepted (`max_reply_mb`).
    public var maxReplyBytes = HTTPRequest.defaultMaxBodyBytes

    public init(
        name: String, format: WireFormat = .openai, apiBase: String? = nil, apiKeyEnv: String? = nil,
        apiKeyCommand: String? = nil, keyRequired: Bool = false, headers: [(name: String, value: String)] = [],
        timeout: Double? = nil, maxTokensField: String? = nil, startHint: String? = nil, mockScript: String? = nil
    ) {
        self.name = name
        self.format = format
        self.apiBase = apiBase
        self.apiKeyEnv = apiKeyEnv
        self.apiKeyCommand = apiKeyCommand
        self.keyRequired = keyRequired
        self.headers = headers
        self.timeout = timeout
        self.maxTokensField = maxTokensField
        self.startHint = startHint
        self.mockScript = mockScript
    }

    /// OpenAI's own API wants `max_completion_tokens` (its reasoning models refuse
    /// `max_tokens`); every other server, proxies of OpenAI included, knows only `max_tokens`
    /// and silently ignores the newer name.
    public func maxTokensField(for url: String) -> String {
        if let maxTokensField { return maxTokensField }
        return (try? ParsedURL(url))?.host == "api.openai.com" ? "max_completion_tokens" : "max_tokens"
    }

    /// True for servers on this machine: they get no retries on a refused connection.
    public var isLocal: Bool {
        guard let apiBase else { return true }
        return apiBase.contains("://localhost") || apiBase.contains("://127.") || apiBase.contains("://[::1]")
    }
}
