import Foundation

/// Tool definitions from a file for `--tools`: a tools file (`tools:` list, the shape
/// `llm-tools` reads), a JSON array of definitions, or a `tools` record.
public enum ToolsFile {
    public static func load(_ path: String, log: Log) throws(LLMError) -> [ToolDefinition] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.usage, "cannot read tools file \(path)")
        }
        let value = try YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path)
        let list = value["tools"] ?? value
        guard let items = list.arrayValue else {
            throw LLMError(.invalidInput, "\(path): expected a list of tools, or a mapping with a tools: list")
        }
        var tools: [ToolDefinition] = []
        for (i, item) in items.enumerated() {
            if let tool = ToolDefinition(json: item) {
                tools.append(tool)
            } else if let builtin = item["builtin"]?.stringValue {
                log.note("\(path): built-in tool \(builtin) is defined by llm-tools; skipped here")
            } else {
                throw LLMError(.invalidInput, "\(path): tool \(i + 1) has no name")
            }
        }
        return tools
    }
}
