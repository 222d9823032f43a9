/// `mock/echo` and `mock/script`: offline, for tests and pipeline development.
public enum MockFormat: ProviderFormat {
    public static let name = "mock"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: false, structuredOutput: false, reasoning: true)
    public static let optionKeys: Set<String> = ["script"]
    public static let needsEndpoint = false

    public static func problem(in options: JSONObject, provider: String) -> String? {
        if let script = options["script"], script.stringValue == nil { return "script must be a file path" }
        return nil
    }

    public static func presets(environment: Environment) -> [ProviderSettings] {
        [ProviderSettings(name: "mock", format: name)]
    }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        MockProvider(settings: settings)
    }
}
