/// A tool the model may call: one schema for every provider.
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// A JSON Schema for the arguments object.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]]) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// Accepts llmkit's flat `{"name","description","parameters"}` and OpenAI's
    /// `{"type":"function","function":{…}}`.
    public init?(json: JSONValue) {
        guard var object = json.objectValue else { return nil }
        if let function = object["function"]?.objectValue { object = function }
        guard let name = object["name"]?.stringValue, !name.isEmpty else { return nil }
        self.name = name
        description = object["description"]?.stringValue
        parameters = object["parameters"] ?? object["input_schema"] ?? ["type": "object", "properties": [:]]
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["name"] = .string(name)
        o.set("description", description.map(JSONValue.string))
        o["parameters"] = parameters
        return .object(o)
    }

    /// The `tools` record that carries definitions down a pipeline.
    public static func record(_ tools: [ToolDefinition]) -> JSONObject {
        ["type": "tools", "tools": .array(tools.map(\.json))]
    }

    public static func list(from value: JSONValue?) throws(LLMError) -> [ToolDefinition] {
        guard let items = value?.arrayValue else {
            throw LLMError(.invalidInput, "\"tools\" must be an array of tool definitions")
        }
        return try items.enumerated().map { (i, item) throws(LLMError) in
            guard let tool = ToolDefinition(json: item) else {
                throw LLMError(.invalidInput, "tool \(i + 1) has no \"name\"")
            }
            return tool
        }
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
