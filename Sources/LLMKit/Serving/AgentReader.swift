import Foundation

/// Reads one agent of an agents file: its name, who answers, its settings and the paths it
/// names, each checked, with the file's name in every message.
struct AgentReader {
    let source: String
    /// The agents file's folder, which relative paths are relative to.
    let base: String

    private func bad(_ what: String) -> LLMError { LLMError(.configuration, "\(source): \(what)") }

    private func beside(_ path: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    /// Agent `number` (from 1), and what loaded but may not be what was meant. `earlier`
    /// are the agents before it, whose names it may not take.
    func agent(_ item: JSONValue, number: Int, after earlier: [AgentDefinition]) throws(LLMError) -> (AgentDefinition, [String]) {
        guard let object = item.objectValue else { throw bad("agent \(number) is not a mapping") }
        guard let name = object["name"]?.stringValue, AgentsFile.isValidName(name) else {
            throw bad("agent \(number) needs a `name`: letters, digits and . _ - : / @ +, at most 128 characters")
        }
        let place = "agent \(name)"
        if let unknown = FileKeys.unknown(in: object, known: FileKeys.agent, at: place) { throw bad(unknown) }
        guard !earlier.contains(where: { $0.name == name }) else { throw bad("two agents are named \(name)") }
        let (answerer, warnings) = try self.answerer(object, place: place)
        var agent = AgentDefinition(name: name, answerer: answerer)
        agent.description = try string(object, "description", place)
        agent.system = try string(object, "system", place)
        agent.tasks = try string(object, "tasks", place)
        agent.passthrough = try bool(object, "passthrough", place)
        agent.clientTools = try bool(object, "client_tools", place)
        agent.showSteps = try bool(object, "show_steps", place)
        if case .command = answerer {
            if agent.passthrough { throw bad("\(place): `passthrough` is for a `model` agent; a command gets the client's tools with `client_tools: true`") }
            if object["tools"] != nil { throw bad("\(place): `tools` is for a `model` agent; a command names its own tools file") }
            if object["max_turns"] != nil { throw bad("\(place): `max_turns` is for a `model` agent with `tools`") }
        } else if agent.clientTools {
            throw bad("\(place): `client_tools` is for a `command` agent; a `model` agent forwards them with `passthrough: true`")
        }
        try readPaths(object, place, into: &agent)
        try readLimits(object, place, into: &agent)
        return (agent, warnings)
    }

    /// `command` or `model`, one of them.
    private func answerer(_ object: JSONObject, place: String) throws(LLMError) -> (AgentDefinition.Answerer, [String]) {
        switch (object["command"], object["model"]?.stringValue) {
        case (let command?, nil):
            let resolved = try commandLine(command, place: place,
                                           perUser: object["workdir"]?.stringValue?.contains(AgentsFile.userPlaceholder) ?? false)
            return (.command(resolved.argv), resolved.warnings)
        case (nil, let model?):
            return (.model(model), [])
        default:
            throw bad("\(place): give either `command` (a pipeline to run) or `model` (answered in process), not both")
        }
    }

    /// `command`: its program and arguments, paths beside the agents file made absolute, and
    /// a warning for each argument that looks like a file but is not there.
    private func commandLine(_ command: JSONValue, place: String, perUser: Bool) throws(LLMError) -> (argv: [String], warnings: [String]) {
        guard let argv = command.arrayValue?.compactMap(\.stringValue), argv.count == command.arrayValue?.count, !argv.isEmpty,
              !argv[0].isEmpty else {
            throw bad("\(place): `command` must be a list of strings, the program first (no shell)")
        }
        let resolved = AgentsFile.besideTheFile(argv, directory: base)
        let warnings = resolved.missing.map {
            "\(place): `\(String($0.prefix(200)))` looks like a file, but none is beside \(source): the command will look for it "
                + "in its working directory" + (perUser ? ", which is the user's" : "")
        }
        return (resolved.argv, warnings)
    }

    /// `tools` and `workdir`.
    private func readPaths(_ object: JSONObject, _ place: String, into agent: inout AgentDefinition) throws(LLMError) {
        if let path = try string(object, "tools", place) {
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
        if let workdir = try string(object, "workdir", place) {
            let placeholder = AgentsFile.userPlaceholder
            let segments = workdir.split(separator: "/", omittingEmptySubsequences: false)
            guard !segments.contains(where: { $0.contains(placeholder) && $0 != placeholder }) else {
                throw bad("\(place): `\(placeholder)` must be a whole part of `workdir`, as in sessions/\(placeholder)")
            }
            guard !segments.contains("..") else { throw bad("\(place): `workdir` may not contain `..`") }
            agent.workdir = beside(workdir)
        }
    }

    /// `timeout` and `max_turns`.
    private func readLimits(_ object: JSONObject, _ place: String, into agent: inout AgentDefinition) throws(LLMError) {
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
    }

    private func string(_ object: JSONObject, _ key: String, _ place: String) throws(LLMError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw bad("\(place): `\(key)` must be a string") }
        return string
    }

    private func bool(_ object: JSONObject, _ key: String, _ place: String) throws(LLMError) -> Bool {
        guard let value = object[key], value != .null else { return false }
        guard let bool = value.boolValue else { throw bad("\(place): `\(key)` must be true or false") }
        return bool
    }
}
