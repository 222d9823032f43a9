/// Everything needed to reach one provider: where, how to authenticate, what to send.
///
/// The fields here mean the same for every wire format; what only one format understands
/// (`max_tokens_field` for OpenAI-compatible servers, `commands` for `cmd`, `script` for
/// `mock`) stays in `options`, for that format to read and check.
public struct ProviderSettings: Sendable {
    public var name: String
    /// The registered `ProviderFormat` that speaks to this provider (`openai`, `anthropic`…).
    public var format: String
    public var apiBase: String?
    /// Every server of a provider whose `api_base` is a list (the first is `apiBase`);
    /// empty for one server.
    public var replicas: [String] = []
    /// Seconds a failing replica is left out before it is probed again (`cooldown`).
    public var cooldown = 30.0
    /// The environment variables that may hold the key, the first one set wins
    /// (`GEMINI_API_KEY`, then `GOOGLE_API_KEY`).
    public var apiKeyEnvs: [String]
    /// A shell command that prints the key (`pass show openai`), so keys can live in a
    /// secret manager. Wins over `apiKeyEnvs`.
    public var apiKeyCommand: String?
    /// Hosted services need a key; local servers work without one but send it if set.
    public var keyRequired: Bool
    public var headers: [(name: String, value: String)]
    public var timeout: Double?
    /// What to tell a user whose server is not answering.
    public var startHint: String?
    /// Seconds `api_key_cmd` may take (`api_key_timeout`).
    public var apiKeyTimeout = 30.0
    /// The largest non-streamed reply accepted (`max_reply_mb`).
    public var maxReplyBytes = HTTPRequest.defaultMaxBodyBytes
    /// The format's own settings, from its preset and the config, checked by the format.
    public var options: JSONObject = JSONObject()

    public init(
        name: String, format: String = "openai", apiBase: String? = nil, apiKeyEnv: String? = nil,
        apiKeyCommand: String? = nil, keyRequired: Bool = false, headers: [(name: String, value: String)] = [],
        timeout: Double? = nil, startHint: String? = nil, options: JSONObject = JSONObject()
    ) {
        self.name = name
        self.format = format
        self.apiBase = apiBase
        self.apiKeyEnvs = apiKeyEnv.map { [$0] } ?? []
        self.apiKeyCommand = apiKeyCommand
        self.keyRequired = keyRequired
        self.headers = headers
        self.timeout = timeout
        self.startHint = startHint
        self.options = options
    }

    /// The variable a key is read from first; the one error messages name.
    public var apiKeyEnv: String? {
        get { apiKeyEnvs.first }
        set { apiKeyEnvs = newValue.map { [$0] } ?? [] }
    }

    /// True for servers on this machine: they get no retries on a refused connection.
    public var isLocal: Bool {
        guard let apiBase else { return true }
        return ([apiBase] + replicas).allSatisfy(Self.isLoopback)
    }

    static func isLoopback(_ base: String) -> Bool {
        base.contains("://localhost") || base.contains("://127.") || base.contains("://[::1]")
    }

    /// `{api_base}/path`, or `--api-base`'s when the request has one.
    public func url(_ path: String, for request: CompletionRequest) -> String {
        url(path, base: request.options.apiBase)
    }

    /// `{api_base}/path`; `base` replaces `api_base` where given.
    public func url(_ path: String, base override: String? = nil) -> String {
        var base = override ?? apiBase ?? ""
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/" + path
    }
}
