import Foundation
import LLMKit
import Testing

/// A conversation recorded with one provider goes on with another: call ids, tool results
/// and reasoning are carried, translated or dropped as the next provider needs, and never
/// make its request fail. The fake servers refuse what the real APIs refuse (a result that
/// names no call of the turn before, a wrong role, a thinking block changed).
@Suite struct CrossProviderTests {
    let server: FakeServer
    let key = ConformanceTarget.fakeKey
    init() throws { server = try FakeServer(script: "fake_provider.py", arguments: ["--key", ConformanceTarget.fakeKey]) }

    var base: String { "http://127.0.0.1:\(server.port)" }

    func ask(_ model: String, _ stdin: String, tool: String = "llm-complete") throws -> CommandResult {
        let provider = model.split(separator: "/").first.map(String.init) ?? ""
        let bases = ["openai": base + "/v1", "anthropic": base, "gemini": base + "/v1beta", "ollama_chat": base, "mistral": base + "/v1"]
        var arguments = ["-m", model]
        if let url = bases[provider] { arguments += ["--api-base", url] }
        if provider == "llamacpp", let llama = ProcessInfo.processInfo.environment["LLMKIT_TEST_LLAMA_BASE"] {
            arguments += ["--api-base", llama, "--max-tokens", "16", "--temperature", "0"]
        }
        let environment = ["ANTHROPIC_API_KEY": key, "GEMINI_API_KEY": key, "OPENAI_API_KEY": key, "MISTRAL_API_KEY": key]
        return try run(tool, arguments, stdin: stdin, environment: environment)
    }

    /// A tool call started on `first`, its result, then the next turn on each of `next`.
    func startOn(_ first: String, continueOn next: [String]) throws {
        let question = ConformanceScenario.lines([ConformanceScenario.weatherTool, #"{"role":"user","content":"Weather in Paris?"}"#])
        let started = try ask(first, question, tool: "llm-stream")
        #expect(started.status == 0, "\(first): \(started.stderr)")
        let conversation = ConformanceScenario.answering(started, with: ["18C"])
        for model in next {
            let result = try ask(model, conversation)
            #expect(result.status == 0, "\(first) → \(model): \(result.stderr)")
            let reply = result.records.last { $0["role"] == "assistant" }
            if !model.hasPrefix("llamacpp") {
                #expect(reply?["content"] == "Weather: 18C", "\(first) → \(model): \(reply?.serialized ?? "no reply")")
            } else {
                #expect((reply?["content"]?.stringValue ?? "").isEmpty == false, "\(first) → \(model): \(reply?.serialized ?? "no reply")")
            }
        }
    }

    /// Thinking blocks and `toolu_` ids from Anthropic, on to Gemini, Ollama, OpenAI,
    /// Mistral (whose ids must be nine letters and digits) and the real llama.cpp server.
    @Test func fromAnthropic() throws {
        var next = ["gemini/tool-call", "ollama_chat/tool-call", "openai/tool-call", "anthropic/tool-call"]
        if ProcessInfo.processInfo.environment["LLMKIT_TEST_LLAMA_BASE"] != nil { next.append("llamacpp/smollm") }
        try startOn("anthropic/reasoning-tool", continueOn: next)
    }

    /// Gemini's synthesized ids and thought signatures, on to Anthropic and the others.
    @Test func fromGemini() throws {
        try startOn("gemini/reasoning-tool", continueOn: ["anthropic/tool-call", "ollama_chat/tool-call", "openai/tool-call", "gemini/reasoning-tool"])
    }

    /// Ollama's native calls (object arguments, its own ids), on to the hosted formats.
    @Test func fromOllama() throws {
        try startOn("ollama_chat/tool-call", continueOn: ["anthropic/tool-call", "gemini/tool-call", "openai/tool-call"])
    }

    /// Mistral refuses ids that are not nine letters and digits: they are rewritten, the
    /// same way in the call and in its result.
    @Test func mistralGetsNineCharacterIDs() async throws {
        let question = ConformanceScenario.lines([ConformanceScenario.weatherTool, #"{"role":"user","content":"Weather in Paris?"}"#])
        let started = try ask("anthropic/tool-call", question)
        let result = try ask("mistral/tool-call", ConformanceScenario.answering(started, with: ["18C"]))
        #expect(result.status == 0, "\(result.stderr)")
        let body = try #require(try await server.requests().last?["body"]?.objectValue)
        let messages = body["messages"]?.arrayValue ?? []
        let callID = messages.compactMap { $0["tool_calls"]?.arrayValue?.first?["id"]?.stringValue }.first
        let resultID = messages.compactMap { $0["tool_call_id"]?.stringValue }.first
        #expect(callID?.count == 9 && callID?.allSatisfy { $0.isLetter || $0.isNumber } == true, "\(callID ?? "none")")
        #expect(callID == resultID)
    }
}
