import Foundation

/// The providers llmkit knows without any configuration, as the registered formats
/// declare them.
///
/// Prefixes follow LiteLLM's spelling so model strings carry over. Local servers need no
/// key; hosted ones name the variable their own SDKs read.
public enum ProviderPresets {
    /// The names do not depend on the environment, only their settings do.
    public static let names: [String] = ProviderRegistry.presets(environment: Environment([:])).map(\.name)

    public static func preset(_ name: String, environment: Environment) -> ProviderSettings? {
        ProviderRegistry.presets(environment: environment).first { $0.name == name }
    }

    static func hosted(_ name: String, format: String = "openai", base: String, key: String) -> ProviderSettings {
        ProviderSettings(name: name, format: format, apiBase: base, apiKeyEnv: key, keyRequired: true)
    }

    static func local(_ name: String, format: String = "openai", base: String, key: String, hint: String) -> ProviderSettings {
        ProviderSettings(name: name, format: format, apiBase: base, apiKeyEnv: key, keyRequired: false, startHint: hint)
    }

    /// `OLLAMA_HOST` as Ollama's own client reads it: `host`, `host:port`, `:port` or a URL.
    static func ollamaBase(_ value: String?) -> String {
        guard var value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return "http://127.0.0.1:11434"
        }
        var scheme = "http"
        if let range = value.range(of: "://") {
            scheme = String(value[..<range.lowerBound])
            value = String(value[range.upperBound...])
        }
        while value.hasSuffix("/") { value.removeLast() }
        var host = value
        var port = scheme == "https" ? "443" : "11434"
        if let colon = value.lastIndex(of: ":"), !value.hasSuffix("]") {
            host = String(value[..<colon])
            port = String(value[value.index(after: colon)...])
        }
        if host.isEmpty { host = "127.0.0.1" }
        return "\(scheme)://\(host):\(port)"
    }
}
