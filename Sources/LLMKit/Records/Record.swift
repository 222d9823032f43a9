/// One input line, understood.
public enum Record: Sendable {
    case message(ChatMessage)
    /// Tool definitions in effect for the conversation.
    case tools([ToolDefinition])
    /// Request settings for the conversation (`{"type":"options",…}`).
    case options(JSONObject)
    /// A whole request on one line: a batch job.
    case batch(BatchRequest)
    /// Anything else: typed records of other tools, unknown objects. Passed through.
    case other(JSONObject)

    /// Classifies one parsed line. Errors name no line; the reader adds it.
    public init(_ object: JSONObject) throws(LLMError) {
        if object["role"] != nil {
            self = .message(try ChatMessage(json: object))
        } else if let type = object["type"]?.stringValue {
            switch type {
            case "tools": self = .tools(try ToolDefinition.list(from: object["tools"]))
            case "options": self = .options(object.removing(["type"]))
            default: self = .other(object)
            }
        } else if let batch = try BatchRequest(object) {
            self = .batch(batch)
        } else {
            self = .other(object)
        }
    }
}

/// A batch job: `{"id":…, "messages":[…], …}` or an OpenAI Batch API line
/// (`{"custom_id":…, "method":"POST", "url":"/v1/chat/completions", "body":{…}}`).
public struct BatchRequest: Sendable {
    /// `id` or `custom_id`, echoed on the result line under the same key.
    public var idKey: String
    public var id: JSONValue?
    /// The OpenAI request body: `messages` plus any settings.
    public var body: JSONObject

    init?(_ object: JSONObject) throws(LLMError) {
        if let customID = object["custom_id"], let body = object["body"]?.objectValue {
            if let url = object["url"]?.stringValue, !url.hasSuffix("/chat/completions") {
                throw LLMError(.invalidInput, "batch line \(customID.serialized) asks for \(url); only /v1/chat/completions is supported")
            }
            idKey = "custom_id"
            id = customID
            self.body = body
        } else if object["messages"] != nil {
            idKey = "id"
            id = object["id"]
            body = object.removing(["id"])
        } else {
            return nil
        }
    }

    /// The request's messages. A problem here is this line's alone: the batch goes on.
    public func messages() throws(LLMError) -> [ChatMessage] {
        guard let items = body["messages"]?.arrayValue else {
            throw LLMError(.invalidInput, "\"messages\" must be an array of messages")
        }
        guard !items.isEmpty else { throw LLMError(.invalidInput, "the request has no messages to reply to") }
        return try items.map { value throws(LLMError) in
            guard let object = value.objectValue else {
                throw LLMError(.invalidInput, "each of \"messages\" must be an object")
            }
            return try ChatMessage(json: object)
        }
    }
}
