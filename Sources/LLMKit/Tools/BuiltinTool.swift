/// The tools llmkit carries itself, switched on by name in a tools file.
public enum BuiltinTool: String, Sendable, CaseIterable {
    case readFile = "read_file"
    case writeFile = "write_file"
    case editFile = "edit_file"
    case listDir = "list_dir"
    case searchFiles = "search_files"
    case httpGet = "http_get"
    case shell

    /// `shell` and `http_get` reach outside the root, so they need an explicit `allow: true`.
    public var needsAllow: Bool { self == .shell || self == .httpGet }
    public var writes: Bool { self == .writeFile || self == .editFile }

    public var definition: ToolDefinition {
        func schema(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
            ["type": "object", "properties": .object(JSONObject(properties)), "required": .array(required.map(JSONValue.string))]
        }
        let path: JSONValue = ["type": "string", "description": "A path relative to the tool root"]
        switch self {
        case .readFile:
            return ToolDefinition(name: rawValue, description: "Read a text file. Optionally a range of lines.", parameters: schema([
                ("path", path),
                ("offset", ["type": "integer", "description": "First line to return, from 1"]),
                ("limit", ["type": "integer", "description": "How many lines to return"]),
            ], required: ["path"]))
        case .writeFile:
            return ToolDefinition(name: rawValue, description: "Create or overwrite a text file.", parameters: schema([
                ("path", path), ("content", ["type": "string"]),
            ], required: ["path", "content"]))
        case .editFile:
            return ToolDefinition(name: rawValue, description: "Replace one exact, unique string in a file with another.", parameters: schema([
                ("path", path), ("old_string", ["type": "string"]), ("new_string", ["type": "string"]),
            ], required: ["path", "old_string", "new_string"]))
        case .listDir:
            return ToolDefinition(name: rawValue, description: "List a directory; subdirectories end with /.", parameters: schema([
                ("path", path),
            ], required: []))
        case .searchFiles:
            return ToolDefinition(name: rawValue, description: "Search file contents with a regular expression; lines come back as path:line: text.", parameters: schema([
                ("pattern", ["type": "string", "description": "A regular expression"]),
                ("path", path),
                ("max_results", ["type": "integer"]),
            ], required: ["pattern"]))
        case .httpGet:
            return ToolDefinition(name: rawValue, description: "Fetch a URL with HTTP GET and return the response body.", parameters: schema([
                ("url", ["type": "string"]),
            ], required: ["url"]))
        case .shell:
            return ToolDefinition(name: rawValue, description: "Run a shell command in the tool root and return its output.", parameters: schema([
                ("command", ["type": "string"]),
            ], required: ["command"]))
        }
    }
}
