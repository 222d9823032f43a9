/// A function call requested by the model, in the OpenAI shape every tool here speaks.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The arguments as the model produced them: a JSON text that may be invalid.
    public var arguments: String

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
    }

    public var json: JSONValue {
        [
            "id": .string(id), "type": "function",
            "function": ["name": .string(name), "arguments": .string(arguments)],
        ]
    }
}
