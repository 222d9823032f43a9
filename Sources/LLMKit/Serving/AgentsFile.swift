import Foundation

/// One model a server offers: a pipeline run per request (`command`), or a model answered
/// in process (`model`, with an optional system prompt and tools file).
public struct AgentDefinition: Sendable {
    public enum Answerer: Sendable, Equatable {
        case command([String])
        case model(String)
    }

    /// The model id clients see.
    public var name: String
    public var description: String?
    public var answerer: Answerer
    public var system: String?
    /// A tools file the in-process agent runs itself, with its confinement.
    public var tools: ToolsFile?
    /// In process: the client's own tools go to the model, and its calls back to the client.
    public var passthrough = false
    /// A command agent gets the client's tools as a `tools` record. Off by default: an agent
    /// running its own loop would see calls to tools it cannot run (Open WebUI sends 36).
    public var clientTools = false
    /// Tool turns are shown to the client as text.
    public var showSteps = false
    /// Where a command runs, or an in-process agent's tools are confined; `{user}` is the
    /// user's own directory. Absolute.
    public var workdir: String?
    /// A model for Open WebUI's title, tags and follow-up requests, which would otherwise
    /// run the whole pipeline.
    public var tasks: String?
    /// Seconds one request may take (the server's `--timeout` when unset).
    public var timeout: Double?
    /// Model turns an in-process agent with tools may take.
    public var maxTurns = 8

    public init(name: String, answerer: Answerer) {
        self.name = name
        self.answerer = answerer
    }

    /// `{user}` in `workdir` makes one directory per user.
    public var hasUserDirectories: Bool { workdir?.contains(AgentsFile.userPlaceholder) ?? false }

    /// The conversation the agent is given: with a `system` prompt, that prompt first and no
    /// system or developer message of the client's anywhere, since the prompt is the
    /// operator's and a client's later instruction would otherwise stand beside it.
    public func conversation(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard let system else { return messages }
        return [.system(system)] + messages.filter {
            // However the client spells them: some servers read `System` or `developer ` as theirs.
            let role = $0.role.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            return role != "system" && role != "developer"
        }
    }
}

/// `agents.yaml`: the agents `llm-serve` offers.
public struct AgentsFile: Sendable {
    public var agents: [AgentDefinition]
    public var path: String?
    /// What loaded but may not be what the operator meant, to be said on stderr.
    public var warnings: [String] = []

    public static let userPlaceholder = "{user}"

    public func agent(named name: String) -> AgentDefinition? { agents.first { $0.name == name } }

    public static func load(_ path: String) throws(LLMError) -> AgentsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.configuration, "cannot read agents file \(path)")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var file = try parse(YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path, kind: .configuration), source: path,
                             directory: (absolute as NSString).deletingLastPathComponent)
        file.path = (absolute as NSString).standardizingPath
        return file
    }

    /// Paths in the file (`workdir`, `tools`) are relative to `directory`, the file's own.
    public static func parse(_ value: JSONValue, source: String, directory: String) throws(LLMError) -> AgentsFile {
        func bad(_ what: String) -> LLMError { LLMError(.configuration, "\(source): \(what)") }
        func beside(_ path: String) -> String {
            (path.hasPrefix("/") ? path : ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(path) as String)
        }
        guard let items = value["agents"]?.arrayValue else { throw bad("needs `agents:`, a list of agents (see llm-serve --help)") }
        if let object = value.objectValue, let unknown = FileKeys.unknown(in: object, known: FileKeys.agentsFile, at: "the top level") {
            throw bad(unknown)
        }
        guard !items.isEmpty else { throw bad("`agents:` is empty") }
        var agents: [AgentDefinition] = []
        var warnings: [String] = []
        for (i, item) in items.enumerated() {
            guard let object = item.objectValue else { throw bad("agent \(i + 1) is not a mapping") }
            guard let name = object["name"]?.stringValue, isValidName(name) else {
                throw bad("agent \(i + 1) needs a `name`: letters, digits and . _ - : / @ +, at most 128 characters")
            }
            let place = "agent \(name)"
            if let unknown = FileKeys.unknown(in: object, known: FileKeys.agent, at: place) { throw bad(unknown) }
            guard !agents.contains(where: { $0.name == name }) else { throw bad("two agents are named \(name)") }
            let answerer: AgentDefinition.Answerer
            switch (object["command"], object["model"]?.stringValue) {
            case (let command?, nil):
                let resolved = try commandLine(command, directory: directory, place: place, source: source,
                                               perUser: object["workdir"]?.stringValue?.contains(userPlaceholder) ?? false)
                answerer = .command(resolved.argv)
                warnings += resolved.warnings
            case (nil, let model?):
                answerer = .model(model)
            default:
                throw bad("\(place): give either `command` (a pipeline to run) or `model` (answered in process), not both")
            }
            var agent = AgentDefinition(name: name, answerer: answerer)
            agent.description = try string(object, "description", place, source)
            agent.system = try string(object, "system", place, source)
            agent.tasks = try string(object, "tasks", place, source)
            agent.passthrough = try bool(object, "passthrough", place, source)
            agent.clientTools = try bool(object, "client_tools", place, source)
            agent.showSteps = try bool(object, "show_steps", place, source)
            if case .command = answerer {
                if agent.passthrough { throw bad("\(place): `passthrough` is for a `model` agent; a command gets the client's tools with `client_tools: true`") }
                if object["tools"] != nil { throw bad("\(place): `tools` is for a `model` agent; a command names its own tools file") }
                if object["max_turns"] != nil { throw bad("\(place): `max_turns` is for a `model` agent with `tools`") }
            } else if agent.clientTools {
                throw bad("\(place): `client_tools` is for a `command` agent; a `model` agent forwards them with `passthrough: true`")
            }
            if let path = try string(object, "tools", place, source) {
                // Named by the agents file, so part of the configuration, not the command line.
                let tools: ToolsFile
                do throws(LLMError) {
                    tools = try ToolsFile.load(beside(path))
                } catch where error.kind == .usage {
                    throw bad("\(place): \(error.message)")
                }
                guard tools.mcpServers.isEmpty else {
                    throw bad("\(place): MCP servers run only in a command agent (command: [llm-tools, loop, -f, \(path), --, …])")
                }
                if agent.passthrough { throw bad("\(place): an agent runs its own `tools` or passes the client's through, not both") }
                agent.tools = tools
            }
            if let workdir = try string(object, "workdir", place, source) {
                let segments = workdir.split(separator: "/", omittingEmptySubsequences: false)
                guard !segments.contains(where: { $0.contains(userPlaceholder) && $0 != userPlaceholder }) else {
                    throw bad("\(place): `\(userPlaceholder)` must be a whole part of `workdir`, as in sessions/\(userPlaceholder)")
                }
                guard !segments.contains("..") else { throw bad("\(place): `workdir` may not contain `..`") }
                agent.workdir = beside(workdir)
            }
            if let timeout = object["timeout"] {
                guard let seconds = timeout.doubleValue, seconds > 0, seconds <= RequestOptions.maxSeconds else {
                    throw bad("\(place): `timeout` must be a positive number of seconds")
                }
                agent.timeout = seconds
            }
            if let turns = object["max_turns"] {
                guard let count = turns.intValue, count >= 1 else { throw bad("\(place): `max_turns` must be at least 1") }
                agent.maxTurns = count
            }
            agents.append(agent)
        }
        var file = AgentsFile(agents: agents, path: nil)
        file.warnings = warnings
        return file
    }

    /// `command`: its program and arguments, paths beside the agents file made absolute, and
    /// a warning for each argument that looks like a file but is not there.
    private static func commandLine(_ command: JSONValue, directory: String, place: String, source: String,
                                    perUser: Bool) throws(LLMError) -> (argv: [String], warnings: [String]) {
        guard let argv = command.arrayValue?.compactMap(\.stringValue), argv.count == command.arrayValue?.count, !argv.isEmpty,
              !argv[0].isEmpty else {
            throw LLMError(.configuration, "\(source): \(place): `command` must be a list of strings, the program first (no shell)")
        }
        let resolved = besideTheFile(argv, directory: directory.isEmpty ? "." : directory)
        let warnings = resolved.missing.map {
            "\(place): `\(String($0.prefix(200)))` looks like a file, but none is beside \(source): the command will look for it "
                + "in its working directory" + (perUser ? ", which is the user's" : "")
        }
        return (resolved.argv, warnings)
    }

    /// A command runs in its `workdir`, often a user's own folder, but the files it was
    /// written with are the agents file's neighbours: a relative program path (one with a
    /// `/`) and an argument naming a file beside the agents file are given as absolute paths.
    /// An argument that looks like a file name but names none there is `missing`: the command
    /// would look for it where it runs, where a user may have put one of their own.
    static func besideTheFile(_ argv: [String], directory: String) -> (argv: [String], missing: [String]) {
        var missing: [String] = []
        let resolved = argv.enumerated().map { index, argument in
            guard !argument.hasPrefix("/"), !argument.hasPrefix("-"), !argument.isEmpty else { return argument }
            let path = (directory as NSString).appendingPathComponent(argument)
            if index == 0 { return argument.contains("/") ? (path as NSString).standardizingPath : argument }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                if looksLikeAFileName(argument) { missing.append(argument) }
                return argument
            }
            return (path as NSString).standardizingPath
        }
        return (resolved, missing)
    }

    /// `tools.yaml`, `prompts/system.md`: a name with an extension that has a letter in it
    /// (so not `qwen2.5` or `gpt-4.1`), and no URL.
    static func looksLikeAFileName(_ argument: String) -> Bool {
        guard !argument.contains("://"), let dot = argument.lastIndex(of: "."), !argument[..<dot].hasSuffix("/") else { return false }
        let fileExtension = argument[argument.index(after: dot)...]
        return (1...8).contains(fileExtension.count) && fileExtension.first!.isLetter
            && fileExtension.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            && argument.allSatisfy { !$0.isWhitespace }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-:/@+".unicodeScalars.contains($0)
        }
    }

    private static func string(_ object: JSONObject, _ key: String, _ place: String, _ source: String) throws(LLMError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw LLMError(.configuration, "\(source): \(place): `\(key)` must be a string") }
        return string
    }

    private static func bool(_ object: JSONObject, _ key: String, _ place: String, _ source: String) throws(LLMError) -> Bool {
        guard let value = object[key], value != .null else { return false }
        guard let bool = value.boolValue else { throw LLMError(.configuration, "\(source): \(place): `\(key)` must be true or false") }
        return bool
    }
}
