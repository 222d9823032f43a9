/// Builds the provider a model string names, with its settings and key.
public struct ProviderFactory: Sendable {
    public let config: Config
    public let environment: Environment
    /// `--mock-script`, which wins over the config's `providers.mock.script`.
    public var mockScript: String?
    /// What servers turned out to accept, shared by every provider this run builds.
    let learned = LearnedServerStyles()
    /// `false` when requests are only shown (`--dry-run`): keys are not looked up.
    public var credentials: Bool

    public init(config: Config, environment: Environment, mockScript: String? = nil, credentials: Bool = true) {
        self.config = config
        self.environment = environment
        self.mockScript = mockScript
        self.credentials = credentials
    }

    public func settings(for model: ModelReference) throws(LLMError) -> ProviderSettings {
        guard var settings = config.provider(model.provider, environment: environment) else {
            throw LLMError(.unknownProvider, "unknown provider \"\(model.provider)\" in \(model): known providers are \(config.knownProviders.joined(separator: ", ")); add others under providers: in the config")
        }
        if settings.format == MockFormat.name, let mockScript { settings.options["script"] = .string(mockScript) }
        if let base = settings.apiBase {
            // Presets read OPENAI_BASE_URL and OLLAMA_HOST; the config was checked when loaded.
            do {
                _ = try ParsedURL(base)
            } catch {
                throw LLMError(.configuration, "the endpoint of provider \(settings.name): \(error)")
            }
        }
        return settings
    }

    /// `apiBase`: one replica of the provider, for its health check.
    public func provider(for model: ModelReference, apiBase: String? = nil) throws(LLMError) -> any Provider {
        var settings = try settings(for: model)
        if let apiBase { settings.apiBase = apiBase }
        guard let format = ProviderRegistry.format(named: settings.format) else {
            throw LLMError(.configuration, "provider \(settings.name) has type \(settings.format), which llmkit does not speak: "
                           + "use one of \(ProviderRegistry.formatNames.joined(separator: ", "))")
        }
        if format.needsEndpoint, settings.apiBase == nil {
            throw LLMError(.configuration, "provider \(settings.name) (type \(settings.format)) has no endpoint: set providers.\(settings.name).api_base in the config")
        }
        let configPath = config.path ?? ConfigLoader.path(environment: environment)?.path
        return try format.make(settings, context: ProviderContext(environment: environment, configPath: configPath, learned: learned,
                                                                   credentials: credentials))
    }
}
