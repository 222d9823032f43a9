import Foundation

/// A tools file: the tools a conversation may use, and where file tools may reach.
///
/// ```yaml
/// root: .                     # file tools are confined here (relative to this file)
/// allow_write: false          # write_file and edit_file also need this or --allow-write
/// readable: [/opt/models]     # also visible, read-only, to tools under --isolate
/// tools:
///   - name: get_weather
///     description: Current weather for a city
///     parameters: {type: object, properties: {city: {type: string}}, required: [city]}
///     command: ["./weather.sh"]   # argv, no shell; arguments as JSON on stdin
///     timeout: 10                 # seconds
///     env: [GITHUB_TOKEN]         # variables passed beyond the allowlist (PATH, HOME, LANG, …)
///     arguments_env: true         # also pass arguments as LLM_ARG_<NAME> (old spelling: env: true)
///   - builtin: read_file
///   - builtin: http_get
///     allow: true
///     hosts: [api.example.com, "*.wikipedia.org"]
/// mcp:
///   - name: files
///     command: ["python3", "mcp_server.py"]
///     tools: [read, search]       # a subset; all when absent
///     env: [NOTES_TOKEN]
///     timeout: 30                 # seconds, for starting and for each call
///     prefix: true                # its tools are called files_read, files_search
/// ```
public struct ToolsFile: Sendable {
    public struct Command: Sendable {
        public var definition: ToolDefinition
        public var argv: [String]
        public var timeout: Double
        public var passArgumentsAsEnvironment: Bool
        /// Variables passed beyond the allowlist.
        public var environment: [String] = []
    }

    public struct Builtin: Sendable {
        public var tool: BuiltinTool
        public var allowed: Bool
        public var hosts: [String]
        public var timeout: Double = ToolsFile.defaultTimeout
    }

    public struct MCPServer: Sendable {
        public var name: String
        public var argv: [String]
        public var only: [String]?
        public var timeout: Double
        public var environment: [String] = []
        /// Names its tools `<name>_<tool>`, so that servers offering the same names can be used together.
        public var prefix = false
    }

    public var path: String?
    public var root: String?
    public var allowWrite = false
    /// Paths a tool may read under `--isolate`, besides the system's, the root and this file's folder.
    public var readable: [String] = []
    public var commands: [Command] = []
    public var builtins: [Builtin] = []
    public var mcpServers: [MCPServer] = []

    public static let defaultTimeout = 30.0

    public init() {}

    /// Definitions of the command and built-in tools (MCP tools are listed by asking the
    /// servers). A built-in that is off (`shell` or `http_get` without `allow: true`) is
    /// left out: a model offered it would only waste a turn calling it.
    public var localDefinitions: [ToolDefinition] {
        commands.map(\.definition) + builtins.filter { !$0.tool.needsAllow || $0.allowed }.map(\.tool.definition)
    }

    /// Every tool the file declares, on or off: a name may not be used twice either way.
    public var declaredDefinitions: [ToolDefinition] {
        commands.map(\.definition) + builtins.map(\.tool.definition)
    }

    /// `argv` with a relative program path (`./weather.sh`, `scripts/x.sh`) made relative to
    /// this file's folder, so a tools file can ship its scripts beside it. A bare name
    /// (`python3`) is looked up in PATH as usual.
    public func resolvingProgram(_ argv: [String]) -> [String] {
        guard var program = argv.first, program.contains("/"), !program.hasPrefix("/"), let path else { return argv }
        let folder = (path as NSString).deletingLastPathComponent
        program = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(program)
        return [program] + argv.dropFirst()
    }

    public static func load(_ path: String) throws(LLMError) -> ToolsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.usage, "cannot read tools file \(path)")
        }
        var file = try parse(YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path, kind: .configuration), source: path)
        // Absolute, so that what is relative to it does not become relative to the root.
        let path = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        file.path = (path as NSString).standardizingPath
        let directory = (path as NSString).deletingLastPathComponent
        func beside(_ relative: String) -> String {
            relative.hasPrefix("/") ? relative : ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(relative)
        }
        file.root = file.root.map(beside)
        file.readable = file.readable.map(beside)
        return file
    }

    public static func parse(_ value: JSONValue, source: String) throws(LLMError) -> ToolsFile {
        func bad(_ what: String) -> LLMError { LLMError(.configuration, "\(source): \(what)") }
        var file = ToolsFile()
        // A bare list, or a tools record, is a list of definitions.
        let top = value.objectValue ?? ["tools": value]
        try check(top, FileKeys.toolsFile, "the top level")
        file.root = try string(top, "root", "the top level")
        file.allowWrite = try bool(top, "allow_write", "the top level") ?? false
        file.readable = try strings(top, "readable", "the top level") ?? []
        guard let items = (top["tools"] ?? .array([])).arrayValue else { throw bad("tools must be a list") }
        for (i, item) in items.enumerated() {
            let place = "tool \(i + 1)"
            guard let entry = item.objectValue else { throw bad("\(place) is not a mapping") }
            if let name = item["builtin"]?.stringValue {
                guard let tool = BuiltinTool(rawValue: name) else {
                    throw bad("\(place): no built-in tool \"\(name)\" (there are \(BuiltinTool.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                try check(entry, FileKeys.builtinTool, "\(place) (\(name))")
                file.builtins.append(Builtin(tool: tool, allowed: try bool(entry, "allow", place) ?? false,
                                             hosts: try strings(entry, "hosts", place) ?? [],
                                             timeout: try timeout(item, place)))
                continue
            }
            try check(entry, FileKeys.commandTool, place)
            try checkDefinition(entry["function"]?.objectValue ?? entry, place)
            guard let definition = ToolDefinition(json: item) else { throw bad("\(place) has no name") }
            guard let command = item["command"] else {
                // A definition only (as in a tools record): callable by nobody here.
                file.commands.append(Command(definition: definition, argv: [], timeout: defaultTimeout, passArgumentsAsEnvironment: false))
                continue
            }
            guard let argv = command.arrayValue?.compactMap(\.stringValue), !argv.isEmpty, argv.count == command.arrayValue?.count else {
                throw bad("\(place) (\(definition.name)): command must be a list of strings, e.g. [\"./weather.sh\"]; no shell is used")
            }
            file.commands.append(Command(definition: definition, argv: argv, timeout: try timeout(item, place),
                                         passArgumentsAsEnvironment: try bool(entry, "arguments_env", place) ?? item["env"]?.boolValue ?? false,
                                         environment: try variables(item, place)))
        }
        guard let servers = (top["mcp"] ?? .array([])).arrayValue else { throw bad("mcp must be a list of servers") }
        for (i, item) in servers.enumerated() {
            guard let entry = item.objectValue, let name = item["name"]?.stringValue,
                  let argv = item["command"]?.arrayValue?.compactMap(\.stringValue), !argv.isEmpty,
                  argv.count == item["command"]?.arrayValue?.count else {
                throw bad("mcp server \(i + 1) needs a name and a command list of strings")
            }
            let place = "mcp server \(name)"
            try check(entry, FileKeys.mcpServer, place)
            file.mcpServers.append(MCPServer(name: name, argv: argv, only: try strings(entry, "tools", place),
                                             timeout: try timeout(item, place), environment: try variables(item, place),
                                             prefix: try bool(entry, "prefix", place) ?? false))
        }
        var seen: Set<String> = []
        for name in file.declaredDefinitions.map(\.name) where !seen.insert(name).inserted {
            throw bad("two tools are named \(name)")
        }
        return file

        func check(_ object: JSONObject, _ known: Set<String>, _ place: String) throws(LLMError) {
            if let unknown = FileKeys.unknown(in: object, known: known, at: place) { throw bad(unknown) }
        }

        /// A schema that is not a mapping would reach the model as garbage, or be refused by
        /// the provider at the first request instead of here.
        func checkDefinition(_ definition: JSONObject, _ place: String) throws(LLMError) {
            _ = try string(definition, "description", place)
            for key in ["parameters", "input_schema"] {
                if let schema = definition[key], schema != .null, schema.objectValue == nil {
                    throw bad("\(place): \(key) must be a JSON Schema mapping, e.g. {type: object, properties: {city: {type: string}}}")
                }
            }
        }

        // A value of the wrong type is an error, not "absent": `tools: read_file` read as no
        // list would offer every tool of an MCP server.
        func string(_ object: JSONObject, _ key: String, _ place: String) throws(LLMError) -> String? {
            guard let value = object[key], value != .null else { return nil }
            guard let text = value.stringValue else { throw bad("\(place): \(key) must be a string") }
            return text
        }

        func bool(_ object: JSONObject, _ key: String, _ place: String) throws(LLMError) -> Bool? {
            guard let value = object[key], value != .null else { return nil }
            guard let flag = value.boolValue else { throw bad("\(place): \(key) must be true or false") }
            return flag
        }

        func strings(_ object: JSONObject, _ key: String, _ place: String) throws(LLMError) -> [String]? {
            guard let value = object[key], value != .null else { return nil }
            guard let list = value.arrayValue, let texts = Optional(list.compactMap(\.stringValue)), texts.count == list.count else {
                throw bad("\(place): \(key) must be a list of strings")
            }
            return texts
        }

        func timeout(_ item: JSONValue, _ place: String) throws(LLMError) -> Double {
            guard let value = item["timeout"] else { return defaultTimeout }
            guard let seconds = value.doubleValue, seconds > 0, seconds <= RequestOptions.maxSeconds else {
                throw bad("\(place): timeout must be a positive number of seconds, at most \(Int(RequestOptions.maxSeconds))")
            }
            return seconds
        }

        /// `env: [NAME, …]`: variables this entry gets beyond the allowlist. `env: true` is the
        /// old spelling of `arguments_env`, and names nothing.
        func variables(_ item: JSONValue, _ place: String) throws(LLMError) -> [String] {
            guard let value = item["env"], value.boolValue == nil else { return [] }
            guard let names = value.arrayValue?.compactMap(\.stringValue), names.count == value.arrayValue?.count else {
                throw bad("\(place): env must be a list of variable names, e.g. [GITHUB_TOKEN]")
            }
            return names
        }
    }
}
