import Foundation

/// A tools file: the tools a conversation may use, and where file tools may reach.
///
/// ```yaml
/// root: .                     # file tools are confined here (relative to this file)
/// allow_write: false          # write_file and edit_file also need this or --allow-write
/// tools:
///   - name: get_weather
///     description: Current weather for a city
///     parameters: {type: object, properties: {city: {type: string}}, required: [city]}
///     command: ["./weather.sh"]   # argv, no shell; arguments as JSON on stdin
///     timeout: 10                 # seconds
///     env: true                   # also pass arguments as LLM_ARG_<NAME> variables
///   - builtin: read_file
///   - builtin: http_get
///     allow: true
///     hosts: [api.example.com, "*.wikipedia.org"]
/// mcp:
///   - name: files
///     command: ["python3", "mcp_server.py"]
///     tools: [read, search]       # a subset; all when absent
/// ```
public struct ToolsFile: Sendable {
    public struct Command: Sendable {
        public var definition: ToolDefinition
        public var argv: [String]
        public var timeout: Double
        public var passArgumentsAsEnvironment: Bool
    }

    public struct Builtin: Sendable {
        public var tool: BuiltinTool
        public var allowed: Bool
        public var hosts: [String]
    }

    public struct MCPServer: Sendable {
        public var name: String
        public var argv: [String]
        public var only: [String]?
        public var timeout: Double
    }

    public var path: String?
    public var root: String?
    public var allowWrite = false
    public var commands: [Command] = []
    public var builtins: [Builtin] = []
    public var mcpServers: [MCPServer] = []

    public static let defaultTimeout = 30.0

    public init() {}

    /// Definitions of the command and built-in tools (MCP tools are listed by asking the servers).
    public var localDefinitions: [ToolDefinition] {
        commands.map(\.definition) + builtins.map(\.tool.definition)
    }

    public static func load(_ path: String) throws(LLMError) -> ToolsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.usage, "cannot read tools file \(path)")
        }
        var file = try parse(YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path), source: path)
        file.path = path
        if let root = file.root, !root.hasPrefix("/") {
            let directory = (path as NSString).deletingLastPathComponent
            file.root = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(root)
        }
        return file
    }

    public static func parse(_ value: JSONValue, source: String) throws(LLMError) -> ToolsFile {
        func bad(_ what: String) -> LLMError { LLMError(.configuration, "\(source): \(what)") }
        var file = ToolsFile()
        // A bare list, or a tools record, is a list of definitions.
        let top = value.objectValue ?? ["tools": value]
        file.root = top["root"]?.stringValue
        file.allowWrite = top["allow_write"]?.boolValue ?? false
        guard let items = (top["tools"] ?? .array([])).arrayValue else { throw bad("tools must be a list") }
        for (i, item) in items.enumerated() {
            let place = "tool \(i + 1)"
            if let name = item["builtin"]?.stringValue {
                guard let tool = BuiltinTool(rawValue: name) else {
                    throw bad("\(place): no built-in tool \"\(name)\" (there are \(BuiltinTool.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                file.builtins.append(Builtin(tool: tool, allowed: item["allow"]?.boolValue ?? false,
                                             hosts: item["hosts"]?.arrayValue?.compactMap(\.stringValue) ?? []))
                continue
            }
            guard let definition = ToolDefinition(json: item) else { throw bad("\(place) has no name") }
            guard let command = item["command"] else {
                // A definition only (as in a tools record): callable by nobody here.
                file.commands.append(Command(definition: definition, argv: [], timeout: defaultTimeout, passArgumentsAsEnvironment: false))
                continue
            }
            guard let argv = command.arrayValue?.compactMap(\.stringValue), !argv.isEmpty, argv.count == command.arrayValue?.count else {
                throw bad("\(place) (\(definition.name)): command must be a list of strings, e.g. [\"./weather.sh\"]; no shell is used")
            }
            file.commands.append(Command(definition: definition, argv: argv, timeout: item["timeout"]?.doubleValue ?? defaultTimeout,
                                         passArgumentsAsEnvironment: item["env"]?.boolValue ?? false))
        }
        for (i, item) in (top["mcp"]?.arrayValue ?? []).enumerated() {
            guard let name = item["name"]?.stringValue, let argv = item["command"]?.arrayValue?.compactMap(\.stringValue), !argv.isEmpty else {
                throw bad("mcp server \(i + 1) needs a name and a command list")
            }
            file.mcpServers.append(MCPServer(name: name, argv: argv, only: item["tools"]?.arrayValue?.compactMap(\.stringValue),
                                             timeout: item["timeout"]?.doubleValue ?? defaultTimeout))
        }
        var seen: Set<String> = []
        for name in file.localDefinitions.map(\.name) where !seen.insert(name).inserted {
            throw bad("two tools are named \(name)")
        }
        return file
    }
}
