import Foundation

/// The providers llmkit knows without any configuration.
///
/// Prefixes follow LiteLLM's spelling so model strings carry over. Local servers need no
/// key; hosted ones name the variable their own SDKs read.
public enum ProviderPresets {
    public static let names = [
        "openai", "groq", "xai", "openrouter", "deepseek", "mistral",
        "ollama", "vllm", "llamacpp", "lm_studio", "localai", "textgen", "mock",
    ]

    public static func preset(_ name: String, environment: Environment) -> ProviderSettings? {
        switch name {
        case "openai":
            return hosted(name, base: environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
                          key: "OPENAI_API_KEY")
        case "groq": return hosted(name, base: "https://api.groq.com/openai/v1", key: "GROQ_API_KEY")
        case "xai": return hosted(name, base: "https://api.x.ai/v1", key: "XAI_API_KEY")
        case "openrouter":
            var settings = hosted(name, base: "https://openrouter.ai/api/v1", key: "OPENROUTER_API_KEY")
            settings.headers = [("X-Title", "llmkit")]
            return settings
        case "deepseek": return hosted(name, base: "https://api.deepseek.com/v1", key: "DEEPSEEK_API_KEY")
        case "mistral": return hosted(name, base: "https://api.mistral.ai/v1", key: "MISTRAL_API_KEY")
        case "ollama":
            return local(name, base: ollamaBase(environment["OLLAMA_HOST"]) + "/v1", key: "OLLAMA_API_KEY",
                         hint: "start it with `ollama serve`")
        case "vllm":
            return local(name, base: "http://localhost:8000/v1", key: "VLLM_API_KEY",
                         hint: "start it with `vllm serve MODEL`")
        case "llamacpp":
            var settings = local(name, base: "http://127.0.0.1:8080/v1", key: "LLAMA_API_KEY",
                                 hint: "start it with `llama-server -m MODEL.gguf`, or set api_base")
            settings.structuredOutput = .jsonObject
            return settings
        case "lm_studio":
            return local(name, base: "http://localhost:1234/v1", key: "LM_STUDIO_API_KEY",
                         hint: "start the server in LM Studio, or run `lms server start`")
        case "localai":
            return local(name, base: "http://localhost:8080/v1", key: "LOCALAI_API_KEY", hint: "start LocalAI")
        case "textgen":
            return local(name, base: "http://127.0.0.1:5000/v1", key: "TEXTGEN_API_KEY",
                         hint: "start text-generation-webui with `--api`")
        case "mock":
            return ProviderSettings(name: name, format: .mock)
        default:
            return nil
        }
    }

    private static func hosted(_ name: String, base: String, key: String) -> ProviderSettings {
        ProviderSettings(name: name, apiBase: base, apiKeyEnv: key, keyRequired: true)
    }

    private static func local(_ name: String, base: String, key: String, hint: String) -> ProviderSettings {
        ProviderSettings(name: name, apiBase: base, apiKeyEnv: key, keyRequired: false, startHint: hint)
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
