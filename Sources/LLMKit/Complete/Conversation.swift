/// A conversation read from input: its messages, the tools and settings it carries, and
/// the lines to copy through to the output.
public struct Conversation: Sendable {
    public var lines: [InputLine] = []
    public var messages: [ChatMessage] = []
    public var tools: [ToolDefinition] = []
    public var options = RequestOptions()

    public init() {}

    public mutating func add(_ line: InputLine) throws(LLMError) {
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
        case .other: break
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
