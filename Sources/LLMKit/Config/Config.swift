/// The user's configuration file, parsed: providers, aliases, the default model.
public struct Config: Sendable {
    public var path: String?
    public var defaultModel: String?
    public var aliases: [String: String]
    public var providers: [String: ProviderOverrides]
    /// `prices:`, in llm-cost's own price form: added to and over the built-in table.
    public var prices: JSONValue?
    /// Routers, fallbacks, context windows and `prefer`.
    public var routing = RoutingConfig()

    public init(path: String? = nil, defaultModel: String? = nil, aliases: [String: String] = [:], providers: [String: ProviderOverrides] = [:]) {
        self.path = path
        self.defaultModel = defaultModel
        self.aliases = aliases
        self.providers = providers
    }

    /// What a config file may say about one provider; unset fields keep the preset's value.
    public struct ProviderOverrides: Sendable {
        public var format: String?
        public var apiBase: String?
        public var apiKeyEnv: String?
        public var apiKeyCommand: String?
        public var headers: [(name: String, value: String)] = []
        public var timeout: Double?
        /// The format's own settings (`max_tokens_field`, `commands`…), over the preset's.
        public var options = JSONObject()
        public var maxReplyBytes: Int?
        public var apiKeyTimeout: Double?
        /// `api_base` given as a list: servers that all serve the same models.
        public var replicas: [String] = []
        /// `cooldown`: seconds a failing replica is left out before it is probed again.
        public var cooldown: Double?

        public init() {}
    }

    /// The settings for a provider name: a preset, a configured provider, or both merged.
    public func provider(_ name: String, environment: Environment) -> ProviderSettings? {
        let preset = ProviderPresets.preset(name, environment: environment)
        guard let overrides = providers[name] else { return preset }
        var settings = preset ?? ProviderSettings(name: name, keyRequired: overrides.apiKeyEnv != nil || overrides.apiKeyCommand != nil)
        if let format = overrides.format { settings.format = format }
        if let apiBase = overrides.apiBase { settings.apiBase = apiBase }
        if !overrides.replicas.isEmpty { settings.replicas = overrides.replicas }
        if let cooldown = overrides.cooldown { settings.cooldown = cooldown }
        if let env = overrides.apiKeyEnv { settings.apiKeyEnv = env }
        if let command = overrides.apiKeyCommand { settings.apiKeyCommand = command }
        for header in overrides.headers {
            settings.headers.removeAll { $0.name.lowercased() == header.name.lowercased() }
            settings.headers.append(header)
        }
        if let timeout = overrides.timeout { settings.timeout = timeout }
        for (key, value) in overrides.options.entries { settings.options[key] = value }
        if let bytes = overrides.maxReplyBytes { settings.maxReplyBytes = bytes }
        if let seconds = overrides.apiKeyTimeout { settings.apiKeyTimeout = seconds }
        return settings
    }

    public var knownProviders: [String] {
        Array(Set(ProviderPresets.names).union(providers.keys)).sorted()
    }
}
