/// A conversation read from input: its messages, the tools and settings it carries, and
/// the lines to copy through to the output.
public struct Conversation: Sendable {
    public var lines: [InputLine] = []
    public var messages: [ChatMessage] = []
    public var tools: [ToolDefinition] = []
    public var options = RequestOptions()
    /// The error record the input ends with: an earlier stage failed, and a later one passes
    /// that on rather than act on half a conversation.
    public var upstreamFailure: LLMError?

    public init() {}

    public mutating func add(_ line: InputLine) throws(LLMError) {
        upstreamFailure = nil
        switch line.record {
        case .message(let message): messages.append(message)
        case .tools(let definitions): tools = ToolDefinition.merging(definitions, into: tools)
        case .options(let object):
            do {
                options = try RequestOptions(json: object).over(options)
            } catch {
                throw LLMError(.invalidInput, "line \(line.number): \(error.message)")
            }
        case .batch:
            throw LLMError(.invalidInput, "line \(line.number): a batch request line cannot follow conversation records")
        case .other(let object):
            if object["type"]?.stringValue == "error" {
                let kind = object["code"]?.stringValue.flatMap(LLMError.Kind.init(rawValue:)) ?? .internalError
                upstreamFailure = LLMError(kind, "an earlier stage failed: " + (object["message"]?.stringValue ?? "no message"))
            }
        }
        lines.append(line)
    }
}

extension ToolDefinition {
    /// Later definitions replace earlier ones of the same name.
    public static func merging(_ new: [ToolDefinition], into old: [ToolDefinition]) -> [ToolDefinition] {
        var merged = old.filter { tool in !new.contains { $0.name == tool.name } }
        merged.append(contentsOf: new)
        return merged
    }
}
