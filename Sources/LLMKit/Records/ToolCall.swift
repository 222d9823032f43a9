/// A function call requested by the model, in the OpenAI shape every tool here speaks.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as the model produced them: a JSON text that may be invalid.
    public var arguments: String
    /// Fields besides the OpenAI ones (Gemini's `thought_signature`), kept in the record so
    /// the next turn can send them back, and never sent to a provider that does not know them.
    public var extra = JSONObject()

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// Accepts `{"id","type":"function","function":{"name","arguments"}}`; arguments given as
    /// an object (as some servers and hand-written scripts do) are serialized.
    public init?(json: JSONValue, fallbackID: String) {
        guard let object = json.objectValue else { return nil }
        let function = object["function"]?.objectValue ?? object
        guard let name = function["name"]?.stringValue else { return nil }
        self.name = name
        self.id = object["id"]?.stringValue ?? fallbackID
        switch function["arguments"] {
        case .string(let s)?: arguments = s
        case nil, .null?: arguments = "{}"
        case let other?: arguments = other.serialized
        }
        extra = object.removing(["id", "type", "function", "index", "name", "arguments"])
    }

    /// The arguments as a JSON object, for providers that take objects (Anthropic,
    /// Gemini, Ollama): arguments that are not an object are wrapped, never dropped, so
    /// the conversation still goes on.
    public var argumentsObject: JSONObject {
        guard let parsed = try? JSONParser.parse(arguments) else { return ["arguments": .string(arguments)] }
        if let object = parsed.objectValue { return object }
        return ["arguments": parsed]
    }

    /// The record form: the wire form plus `extra`.
    public var recordJSON: JSONValue {
        guard case .object(var o) = json, !extra.isEmpty else { return json }
        for (key, value) in extra.entries where o[key] == nil { o[key] = value }
        return .object(o)
    }

    public var json: JSONValue {
        [
            "id": .string(id), "type": "function",
            "function": ["name": .string(name), "arguments": .string(arguments)],
        ]
    }
}
