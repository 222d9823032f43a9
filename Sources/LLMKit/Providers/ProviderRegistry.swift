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

    /// The providers that work with no configuration, in the registry's order.
    public static func presets(environment: Environment) -> [ProviderSettings] {
        formats.flatMap { $0.presets(environment: environment) }
    }
}
