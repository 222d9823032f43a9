import Foundation

/// Writes replies in OpenAI's shapes: a `chat.completion` object, `chat.completion.chunk`
/// events, and error bodies. The inverse of the OpenAI parser and stream assembler, so that
/// the `openai` SDKs, Open WebUI and curl read llm-serve as they read OpenAI.
public struct ChatCompletionEncoder: Sendable {
    public let id: String
    public let created: Int
    /// The agent's name: the `model` the client asked for.
    public let model: String

    public init(model: String, id: String = "chatcmpl-" + ChatCompletionEncoder.randomID(), created: Int = Int(Date().timeIntervalSince1970)) {
        self.model = model
        self.id = id
        self.created = created
    }

    public static func randomID() -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<24).map { _ in letters.randomElement()! })
    }

    /// The whole reply, for `"stream": false`.
    public func completion(_ reply: ChatMessage, usage: Usage?) -> JSONObject {
        var message: JSONObject = ["role": "assistant", "content": reply.text.map(JSONValue.string) ?? .null]
        if !reply.toolCalls.isEmpty { message["tool_calls"] = .array(reply.toolCalls.map(\.json)) }
        if let reasoning = reply.reasoning { message["reasoning_content"] = .string(reasoning) }
        let choice: JSONObject = [
            "index": 0, "message": .object(message), "logprobs": .null,
            "finish_reason": .string(Self.finishReason(reply)),
        ]
        var object = header(object: "chat.completion")
        object["choices"] = [.object(choice)]
        object.set("usage", usage.flatMap(Self.openAIUsage).map(JSONValue.object))
        return object
    }

    /// The first event: the role, as OpenAI sends it.
    public func roleChunk() -> JSONObject { chunk(delta: ["role": "assistant", "content": ""]) }
    public func contentChunk(_ text: String) -> JSONObject { chunk(delta: ["content": .string(text)]) }
    public func reasoningChunk(_ text: String) -> JSONObject { chunk(delta: ["reasoning_content": .string(text)]) }

    /// The calls of a reply that hands them to the client, whole, in one event.
    public func toolCallsChunk(_ calls: [ToolCall]) -> JSONObject {
        let items: [JSONValue] = calls.enumerated().map { index, call in
            var item = call.json.objectValue ?? JSONObject()
            item["index"] = .int(index)
            return .object(item)
        }
        return chunk(delta: ["tool_calls": .array(items)])
    }

    public func finishChunk(_ reason: String) -> JSONObject { chunk(delta: [:], finishReason: reason) }

    /// `stream_options.include_usage`: an event with no choices and the usage, when the
    /// usage is known.
    public func usageChunk(_ usage: Usage?) -> JSONObject? {
        guard let known = usage.flatMap(Self.openAIUsage) else { return nil }
        var object = header(object: "chat.completion.chunk")
        object["choices"] = []
        object["usage"] = .object(known)
        return object
    }

    private func chunk(delta: JSONObject, finishReason: String? = nil) -> JSONObject {
        var object = header(object: "chat.completion.chunk")
        let choice: JSONObject = ["index": 0, "delta": .object(delta), "logprobs": .null,
                                  "finish_reason": finishReason.map(JSONValue.string) ?? .null]
        object["choices"] = [.object(choice)]
        return object
    }

    private func header(object: String) -> JSONObject {
        ["id": .string(id), "object": .string(object), "created": .int(created), "model": .string(model)]
    }

    /// OpenAI's reasons only: a client may switch on them.
    public static func finishReason(_ reply: ChatMessage) -> String {
        if !reply.toolCalls.isEmpty { return "tool_calls" }
        switch reply.finishReason {
        case "length", "max_tokens": return "length"
        case "content_filter", "safety": return "content_filter"
        default: return "stop"
        }
    }

    /// OpenAI's usage object, whose three counts clients read as numbers: nil unless both
    /// counts are known (DESIGN §2: absent, never guessed).
    public static func openAIUsage(_ usage: Usage) -> JSONObject? {
        guard let prompt = usage.inputTokens, let completion = usage.outputTokens else { return nil }
        var object: JSONObject = ["prompt_tokens": .int(prompt), "completion_tokens": .int(completion),
                                  "total_tokens": .int(Usage.sum(prompt, completion))]
        if let cached = usage.cacheReadTokens { object["prompt_tokens_details"] = ["cached_tokens": .int(cached)] }
        if let reasoning = usage.reasoningTokens { object["completion_tokens_details"] = ["reasoning_tokens": .int(reasoning)] }
        return object
    }

    /// One server-sent event.
    public static func event(_ object: JSONObject) -> [UInt8] {
        var bytes = Array("data: ".utf8)
        object.write(to: &bytes)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return bytes
    }

    public static let done = Array("data: [DONE]\n\n".utf8)
}
