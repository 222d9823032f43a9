/// Builds `POST {api_base}/models/{model}:generateContent` (or `:streamGenerateContent?alt=sse`).
///
/// Roles are `user` and `model`; the system prompt is `systemInstruction`; tool results are
/// `functionResponse` parts, named by the tool they answer; a call's `thoughtSignature`
/// goes back on its part. Tool schemas are cut to the OpenAPI subset Gemini accepts.
public struct GeminiRequestBuilder: Sendable {
    public var settings: ProviderSettings
    public var apiKey: String?

    /// Thinking budgets for `reasoning_effort`.
    static let thinkingBudgets = ["minimal": 512, "low": 1024, "medium": 8192, "high": 24576]
    /// Fields translated into `generationConfig`, or OpenAI's alone: never sent as they are.
    static let translatedFields: Set<String> = [
        "tool_choice", "parallel_tool_calls", "response_format", "reasoning_effort", "top_p", "top_k", "presence_penalty",
        "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "n", "user", "stream_options", "max_completion_tokens",
    ]

    public init(settings: ProviderSettings, apiKey: String?) {
        self.settings = settings
        self.apiKey = apiKey
    }

    public func httpRequest(for request: CompletionRequest, stream: Bool = false) -> HTTPRequest {
        var model = request.model.name
        if model.hasPrefix("models/") { model.removeFirst(7) }
        let method = stream ? "streamGenerateContent?alt=sse" : "generateContent"
        var http = HTTPRequest(method: "POST", url: settings.url("models/\(Self.pathSegment(model)):\(method)", for: request))
        http.headers = [("Content-Type", "application/json")]
        if let apiKey { http.headers.append(("x-goog-api-key", apiKey)) }
        http.headers.append(contentsOf: settings.headers)
        var bytes: [UInt8] = []
        body(for: request).write(to: &bytes)
        http.body = bytes
        return http
    }

    public func body(for request: CompletionRequest) -> JSONObject {
        let options = request.options
        let shape = ConversationShape(request.messages)
        var body = JSONObject()
        if let system = shape.system { body["systemInstruction"] = ["parts": [["text": .string(system)]]] }
        body["contents"] = .array(Self.contents(shape))
        let choice = ToolChoice.of(request)
        if !request.tools.isEmpty {
            let declarations: [JSONValue] = request.tools.map { tool in
                var o: JSONObject = ["name": .string(tool.name)]
                o.set("description", tool.description.map(JSONValue.string))
                // An object with no properties is refused; a function without parameters is not.
                if let properties = tool.parameters["properties"]?.objectValue, !properties.isEmpty {
                    o["parameters"] = GeminiSchema.subset(tool.parameters)
                }
                return .object(o)
            }
            body["tools"] = [["functionDeclarations": .array(declarations)]]
            let config: JSONObject? = switch choice {
            case .auto?: ["mode": "AUTO"]
            case .none?: ["mode": "NONE"]
            case .required?: ["mode": "ANY"]
            case .named(let name)?: ["mode": "ANY", "allowedFunctionNames": [.string(name)]]
            case nil: nil
            }
            if let config { body["toolConfig"] = ["functionCallingConfig": .object(config)] }
        }
        var generation = JSONObject()
        generation.set("temperature", options.temperature.map(JSONValue.double))
        generation.set("topP", options.extra["top_p"])
        generation.set("topK", options.extra["top_k"])
        generation.set("presencePenalty", options.extra["presence_penalty"])
        generation.set("frequencyPenalty", options.extra["frequency_penalty"])
        generation.set("maxOutputTokens", options.maxTokens.map(JSONValue.int))
        if let stop = options.stop, !stop.isEmpty { generation["stopSequences"] = .array(stop.map(JSONValue.string)) }
        generation.set("seed", options.seed.map(JSONValue.int))
        if let schema = options.schema {
            generation["responseMimeType"] = "application/json"
            generation["responseJsonSchema"] = schema
        }
        if let effort = options.extra["reasoning_effort"]?.stringValue, let budget = Self.thinkingBudgets[effort] {
            generation["thinkingConfig"] = ["thinkingBudget": .int(budget), "includeThoughts": true]
        }
        if !generation.isEmpty { body["generationConfig"] = .object(generation) }
        for (key, value) in options.extra.entries where body[key] == nil && !Self.translatedFields.contains(key) { body[key] = value }
        return body
    }

    /// The turns as `contents`, one role at a time.
    static func contents(_ shape: ConversationShape) -> [JSONValue] {
        var turns: [(role: String, parts: [JSONValue])] = []
        func add(_ role: String, _ parts: [JSONValue]) {
            guard !parts.isEmpty else { return }
            if turns.last?.role == role { turns[turns.count - 1].parts += parts } else { turns.append((role, parts)) }
        }
        for message in shape.turns {
            switch message.role {
            case "assistant":
                var parts: [JSONValue] = []
                if let text = message.text, !text.isEmpty { parts.append(["text": .string(text)]) }
                for call in message.toolCalls {
                    var part: JSONObject = ["functionCall": ["name": .string(call.name), "args": .object(call.argumentsObject)]]
                    part.set("thoughtSignature", call.extra["thought_signature"])
                    parts.append(.object(part))
                }
                add("model", parts)
            case "tool":
                let text = message.text ?? ""
                // `response` must be an object: a JSON object result is sent as itself.
                let response: JSONValue = (try? JSONParser.parse(text))?.objectValue.map(JSONValue.object) ?? ["result": .string(text)]
                add("user", [["functionResponse": ["name": .string(shape.toolName(of: message)), "response": response]]])
            default:
                add("user", message.contentParts.compactMap(part))
            }
        }
        return turns.map { .object(["role": .string($0.role), "parts": .array($0.parts)]) }
    }

    /// The model name is part of the URL path, and records choose it: it is percent-encoded
    /// whole (`/`, `?`, `#` and `..` included), so it can name a model and nothing else.
    static func pathSegment(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || c == "-" || c == "_" || c == "~" || (c == "." && name != "." && name != "..") {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    private static func part(_ part: JSONObject) -> JSONValue? {
        if part["type"]?.stringValue == "text" {
            guard let text = part["text"]?.stringValue, !text.isEmpty else { return nil }
            return ["text": .string(text)]
        }
        switch ContentImage(part: part) {
        case .base64(let mediaType, let data)?: return ["inlineData": ["mimeType": .string(mediaType), "data": .string(data)]]
        case .url(let url)?: return ["fileData": ["fileUri": .string(url)]]
        case nil: return nil
        }
    }
}

/// JSON Schema cut to the OpenAPI subset Gemini's `parameters` accepts: unknown keywords
/// are refused there, so they are left out; `["string","null"]` becomes `nullable`;
/// `const` becomes a one-value `enum`; local `$ref`s are inlined.
enum GeminiSchema {
    static let kept: Set<String> = [
        "type", "format", "title", "description", "nullable", "enum", "items", "minItems", "maxItems", "properties",
        "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "anyOf", "propertyOrdering", "example",
    ]

    /// Schema nodes written at most: a tools record is input, and a definition that refers
    /// to itself would otherwise double at every level.
    static let nodeBudget = 10_000

    static func subset(_ schema: JSONValue) -> JSONValue {
        var budget = nodeBudget
        let definitions = schema["$defs"]?.objectValue ?? schema["definitions"]?.objectValue ?? JSONObject()
        return subset(schema, definitions: definitions, inlining: [], budget: &budget)
    }

    /// `inlining`: the `$ref`s being expanded above this node. One met again refers to
    /// itself, and becomes a plain object there.
    private static func subset(_ schema: JSONValue, definitions: JSONObject, inlining: Set<String>, budget: inout Int) -> JSONValue {
        budget -= 1
        guard budget > 0 else { return ["type": "object"] }
        guard var object = schema.objectValue else { return schema }
        if let ref = object["$ref"]?.stringValue, let name = ref.split(separator: "/").last.map(String.init), let target = definitions[name] {
            guard !inlining.contains(name) else { return ["type": "object"] }
            return subset(target, definitions: definitions, inlining: inlining.union([name]), budget: &budget)
        }
        if let constant = object["const"], object["enum"] == nil { object["enum"] = [constant] }
        if case .array(let types)? = object["type"] {
            let named = types.compactMap(\.stringValue)
            if named.contains("null") { object["nullable"] = true }
            object["type"] = named.first { $0 != "null" }.map(JSONValue.string) ?? "string"
        }
        if let values = object["enum"]?.arrayValue {
            // Gemini's enums are strings.
            object["enum"] = .array(values.map { $0.stringValue.map(JSONValue.string) ?? .string($0.serialized) })
            if object["type"] == nil || object["type"] != "string" { object["type"] = "string" }
        }
        var out = JSONObject()
        for (key, value) in object.entries where kept.contains(key) {
            switch key {
            case "properties":
                var properties = JSONObject()
                for (name, property) in value.objectValue?.entries ?? [] {
                    properties[name] = subset(property, definitions: definitions, inlining: inlining, budget: &budget)
                }
                out[key] = .object(properties)
            case "items": out[key] = subset(value, definitions: definitions, inlining: inlining, budget: &budget)
            case "anyOf": out[key] = .array((value.arrayValue ?? []).map { subset($0, definitions: definitions, inlining: inlining, budget: &budget) })
            default: out[key] = value
            }
        }
        return .object(out)
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
