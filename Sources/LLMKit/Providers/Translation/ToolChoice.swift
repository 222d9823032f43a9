/// `tool_choice` as records give it (OpenAI's forms, and Anthropic's `any`/`tool`), for
/// each provider to write in its own form.
public enum ToolChoice: Sendable, Equatable {
    case auto
    case none
    case required
    case named(String)

    /// `nil` when the request does not say, or says something no provider means.
    init?(_ value: JSONValue?) {
        switch value {
        case .string("auto")?: self = .auto
        case .string("none")?: self = .none
        case .string("required")?, .string("any")?: self = .required
        case .object(let o)?:
            if let name = o["function"]?["name"]?.stringValue ?? o["name"]?.stringValue {
                self = .named(name)
            } else if let type = o["type"]?.stringValue, let choice = ToolChoice(.string(type)) {
                self = choice
            } else {
                return nil
            }
        default: return nil
        }
    }

    /// The request's choice (`tool_choice` in an options record or flag).
    static func of(_ request: CompletionRequest) -> ToolChoice? { ToolChoice(request.options.extra["tool_choice"]) }
}
