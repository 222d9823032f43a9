import Foundation

/// An offline, deterministic provider for tests and pipeline development.
///
/// - `mock/echo` replies with the last user message.
/// - `mock/script` replays assistant messages from a JSONL file. The reply to a
///   conversation is the script line whose position equals the number of assistant
///   messages already in it, so an agent loop of separate processes replays the script in
///   order with no state kept anywhere but the conversation. A script line that is an
///   `error` record (`{"type":"error","code":"rate_limited",…}`) fails that turn instead.
///
/// Usage is the script line's own `usage` where it has one; otherwise one token per
/// whitespace-separated word: not a real tokenizer, but stable, so cost and budget
/// pipelines can be tested offline.
public struct MockProvider: Provider {
    public let settings: ProviderSettings

    public init(settings: ProviderSettings) { self.settings = settings }

    public func httpRequest(for request: CompletionRequest, stream: Bool) throws(LLMError) -> HTTPRequest? { nil }

    public func health(timeout: Double) async -> ServerHealth {
        var health = ServerHealth(target: "mock", status: .up, server: "mock")
        health.answered = true
        health.models = [ServedModel(name: "echo", loaded: true), ServedModel(name: "script", loaded: true)]
        return health
    }

    public func complete(_ request: CompletionRequest) async throws(LLMError) -> ChatMessage {
        let start = ContinuousClock.now
        var reply: ChatMessage
        switch request.model.name {
        case "echo":
            let last = request.messages.last { $0.role == "user" }
            reply = ChatMessage(role: "assistant", content: .string(last?.text ?? ""))
            reply.finishReason = "stop"
        case "script":
            reply = try scripted(request)
        default:
            throw LLMError(.modelNotFound, "mock has no model \"\(request.model.name)\": use mock/echo or mock/script",
                           provider: "mock", model: request.model.description)
        }
        if reply.finishReason == nil { reply.finishReason = reply.toolCalls.isEmpty ? "stop" : "tool_calls" }
        if reply.usage == nil {
            let input = request.messages.compactMap(\.text).reduce(0) { $0 + Self.words($1) }
            let output = Self.words(reply.text ?? "") + reply.toolCalls.reduce(0) { $0 + Self.words($1.arguments) }
            reply.usage = Usage(inputTokens: input, outputTokens: output)
        }
        reply.timings = Timings(totalMs: (ContinuousClock.now - start) / .milliseconds(1))
        return reply
    }

    private func scripted(_ request: CompletionRequest) throws(LLMError) -> ChatMessage {
        guard let path = settings.options["script"]?.stringValue else {
            throw LLMError(.configuration, "mock/script needs a script: pass --mock-script FILE or set providers.mock.script in the config")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.configuration, "cannot read mock script \(path)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .filter { !$0.allSatisfy(\.isWhitespace) }
        let turn = request.messages.filter { $0.role == "assistant" }.count
        guard turn < lines.count else {
            throw LLMError(.invalidInput, "mock script \(path) has \(lines.count) replies; the conversation asks for reply \(turn + 1)",
                           provider: "mock", model: request.model.description)
        }
        let object: JSONObject
        do {
            guard let parsed = try JSONParser.parse(String(lines[turn])).objectValue else { throw JSONParseError(offset: 0, reason: "not an object") }
            object = parsed
        } catch {
            throw LLMError(.configuration, "mock script \(path) line \(turn + 1): \(error)")
        }
        if object["type"]?.stringValue == "error" {
            let kind = object["code"]?.stringValue.flatMap(LLMError.Kind.init(rawValue:)) ?? .serverError
            throw LLMError(kind, object["message"]?.stringValue ?? "scripted error", status: object["status"]?.intValue,
                           provider: "mock", model: request.model.description)
        }
        var fields = object
        fields["role"] = "assistant"
        var reply = try ChatMessage(json: fields)
        reply.model = nil
        reply.timings = nil
        return reply
    }

    static func words(_ text: String) -> Int {
        text.split(whereSeparator: { $0.isWhitespace }).count
    }
}
