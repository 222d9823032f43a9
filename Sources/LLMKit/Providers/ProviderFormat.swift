/// One wire format llmkit speaks, and everything about it the rest of llmkit needs: its
/// name in a config's `type:`, the providers it brings without configuration, the settings
/// only it understands, and how to build a provider from settings.
///
/// A format lives in one folder under `Providers/`; `ProviderRegistry.formats` lists it.
public protocol ProviderFormat: Sendable {
    /// The config's `type:` value.
    static var name: String { get }
    static var capabilities: ProviderCapabilities { get }
    /// The providers this format brings with no configuration, with their defaults.
    static func presets(environment: Environment) -> [ProviderSettings]
    /// The format's own config keys (`max_tokens_field`, `commands`…), and a check of
    /// their values; `nil` means the settings are fine, a string says what is wrong.
    static var optionKeys: Set<String> { get }
    static func problem(in options: JSONObject, provider: String) -> String?
    /// Whether the provider is reached at `api_base` (all but local programs and mock).
    static var needsEndpoint: Bool { get }
    static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider
}

extension ProviderFormat {
    public static func presets(environment: Environment) -> [ProviderSettings] { [] }
    public static var optionKeys: Set<String> { [] }
    public static func problem(in options: JSONObject, provider: String) -> String? { nil }
    public static var needsEndpoint: Bool { true }
}

/// What a provider can do, for `--list-providers` and for choosing a fallback.
public struct ProviderCapabilities: Sendable, Equatable {
    public var tools: Bool
    public var streaming: Bool
    public var structuredOutput: Bool
    public var reasoning: Bool

    public init(tools: Bool, streaming: Bool, structuredOutput: Bool, reasoning: Bool) {
        self.tools = tools
        self.streaming = streaming
        self.structuredOutput = structuredOutput
        self.reasoning = reasoning
    }

    public var json: JSONValue {
        ["tools": .bool(tools), "streaming": .bool(streaming), "structured_output": .bool(structuredOutput), "reasoning": .bool(reasoning)]
    }
}

/// What building a provider may need besides its settings.
public struct ProviderContext: Sendable {
    public var environment: Environment
    public var configPath: String?
    public var client: HTTPClient
    /// What servers turned out to accept, shared by every provider of one run.
    public var learned: LearnedServerStyles

    /// `false` for a run that only shows requests (`--dry-run`): no key is looked up.
    public var credentials: Bool

    public init(environment: Environment, configPath: String?, client: HTTPClient = .shared, learned: LearnedServerStyles = LearnedServerStyles(),
                credentials: Bool = true) {
        self.environment = environment
        self.configPath = configPath
        self.client = client
        self.learned = learned
        self.credentials = credentials
    }

    /// The provider's key (from its variables or `api_key_cmd`), registered for masking.
    public func apiKey(for settings: ProviderSettings) throws(LLMError) -> String? {
        try APIKeyResolver.resolve(settings, environment: environment, configPath: configPath, credentials: credentials)
    }
}
