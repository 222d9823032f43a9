import Synchronization

/// Every wire format llmkit speaks. A new provider is its folder under `Providers/` and
/// one line here.
public enum ProviderRegistry {
    public static let formats: [any ProviderFormat.Type] = [
        OpenAICompatibleFormat.self,
        AnthropicFormat.self,
        GeminiFormat.self,
        CommandFormat.self,
        OllamaChatFormat.self,
        MockFormat.self,
    ]

    public static func format(named name: String) -> (any ProviderFormat.Type)? {
        formats.first { $0.name == name }
    }

    public static var formatNames: [String] { formats.map { $0.name } }

    /// The providers that work with no configuration, in the registry's order. Built once
    /// per environment: a run looks providers up by name many times (every key variable is
    /// registered at start), and building them all each time cost milliseconds of startup.
    public static func presets(environment: Environment) -> [ProviderSettings] {
        if let cached = built.withLock({ $0?.environment == environment ? $0?.presets : nil }) { return cached }
        let presets = formats.flatMap { $0.presets(environment: environment) }
        built.withLock { $0 = (environment, presets) }
        return presets
    }

    private static let built = Mutex<(environment: Environment, presets: [ProviderSettings])?>(nil)
}
