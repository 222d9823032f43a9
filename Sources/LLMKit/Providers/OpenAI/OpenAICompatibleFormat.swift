/// Chat Completions: OpenAI and every server that copies its API, each preset with what
/// sets it apart (`OpenAIDialect`).
public enum OpenAICompatibleFormat: ProviderFormat {
    public static let name = "openai"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: true, structuredOutput: true, reasoning: true)
    public static var optionKeys: Set<String> { OpenAIDialect.optionKeys }

    public static func problem(in options: JSONObject, provider: String) -> String? { OpenAIDialect.problem(in: options) }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        OpenAICompatibleProvider(settings: settings, apiKey: try context.apiKey(for: settings), client: context.client, learned: context.learned)
    }

    public static func presets(environment: Environment) -> [ProviderSettings] {
        typealias P = ProviderPresets
        var openrouter = P.hosted("openrouter", base: "https://openrouter.ai/api/v1", key: "OPENROUTER_API_KEY")
        // OpenRouter's attribution header; `HTTP-Referer` (the app's address) is the user's
        // to set under `headers:`.
        openrouter.headers = [("X-Title", "llmkit")]
        var mistral = P.hosted("mistral", base: "https://api.mistral.ai/v1", key: "MISTRAL_API_KEY")
        mistral.options = ["seed_field": "random_seed", "tool_call_ids": "alphanumeric9"]
        var llamacpp = P.local("llamacpp", base: "http://127.0.0.1:8080/v1", key: "LLAMA_API_KEY",
                               hint: "start it with `llama-server -m MODEL.gguf`, or set api_base")
        llamacpp.options = ["structured_output": "json_object"]
        return [
            P.hosted("openai", base: environment["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1", key: "OPENAI_API_KEY"),
            P.hosted("groq", base: "https://api.groq.com/openai/v1", key: "GROQ_API_KEY"),
            P.hosted("xai", base: "https://api.x.ai/v1", key: "XAI_API_KEY"),
            openrouter,
            P.hosted("deepseek", base: "https://api.deepseek.com/v1", key: "DEEPSEEK_API_KEY"),
            mistral,
            P.local("ollama", base: P.ollamaBase(environment["OLLAMA_HOST"]) + "/v1", key: "OLLAMA_API_KEY",
                    hint: "start it with `ollama serve`"),
            P.local("vllm", base: "http://localhost:8000/v1", key: "VLLM_API_KEY", hint: "start it with `vllm serve MODEL`"),
            llamacpp,
            P.local("lm_studio", base: "http://localhost:1234/v1", key: "LM_STUDIO_API_KEY",
                    hint: "start the server in LM Studio, or run `lms server start`"),
            P.local("localai", base: "http://localhost:8080/v1", key: "LOCALAI_API_KEY", hint: "start LocalAI"),
            P.local("textgen", base: "http://127.0.0.1:5000/v1", key: "TEXTGEN_API_KEY",
                    hint: "start text-generation-webui with `--api`"),
        ]
    }
}
