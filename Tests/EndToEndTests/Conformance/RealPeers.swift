import Foundation

/// Real software as conformance targets, when the test run started it: llama-cpp-python
/// (`LLMKIT_TEST_LLAMA_BASE`) and a LiteLLM proxy in front of it (`LLMKIT_TEST_LITELLM_BASE`,
/// whose `/v1/messages` speaks Anthropic's format and `/v1beta/models/…` Gemini's).
enum RealPeers {
    /// What a real model's unscripted replies cannot show.
    static let unscripted = [
        "parallel-tools": "a real model's calls are not scripted", "stream-tools": "a real model's calls are not scripted",
        "reasoning": "SmolLM2 does not reason", "reasoning-tool": "SmolLM2 does not reason",
        "cached-usage": "no cache to report", "rate-limited": "no rate limit", "unavailable": "cannot be made to fail",
        "mid-stream-error": "cannot be made to fail mid-stream",
    ]

    static func targets() -> [ConformanceTarget] {
        let environment = ProcessInfo.processInfo.environment
        var targets: [ConformanceTarget] = []
        let short = ["--max-tokens", "24", "--temperature", "0"]
        if let llama = environment["LLMKIT_TEST_LLAMA_BASE"] {
            var notApplicable = unscripted
            notApplicable["unauthorized"] = "llama-cpp-python is run without a key"
            notApplicable["unknown-model"] = "llama-cpp-python answers any model name"
            targets.append(ConformanceTarget(name: "llamacpp (real)", kind: .real, setup: { scenario in
                ("llamacpp/smollm", ["--api-base", llama] + (scenario == "structured" ? ["--max-tokens", "48", "--temperature", "0"] : short))
            }, notApplicable: notApplicable))
        }
        if let proxy = environment["LLMKIT_TEST_LITELLM_BASE"], let key = environment["LLMKIT_TEST_LITELLM_KEY"] {
            for (provider, base, variable) in [("anthropic", proxy, "ANTHROPIC_API_KEY"), ("gemini", proxy + "/v1beta", "GEMINI_API_KEY")] {
                var notApplicable = unscripted
                // It does translate the schema: into OpenAI's json_schema form, which
                // llama-cpp-python refuses ("Input should be 'text' or 'json_object'", HTTP 500).
                notApplicable["structured"] = "the proxy sends the schema on as json_schema, which llama-cpp-python refuses"
                notApplicable["unauthorized"] = "with no database the proxy answers a wrong key with 400 \"No connected db\", never 401"
                targets.append(ConformanceTarget(name: "\(provider) (LiteLLM)", kind: .real, setup: { scenario in
                    let model = scenario == "unknown-model" ? "no-such-model" : "smollm"
                    return ("\(provider)/\(model)", ["--api-base", base] + short)
                }, environment: [variable: key], notApplicable: notApplicable))
            }
        }
        return targets
    }
}
