import Foundation

/// Runs tool calls: finds the tool, checks the arguments, runs it, and turns the outcome —
/// success or any failure — into a `tool` message the model can read. Never throws: a bad
/// call is the model's to correct, not a reason to stop the pipeline.
public struct ToolExecutor: Sendable {
    public struct Settings: Sendable {
        public var root: String
        public var allowWrite = false
        public var outputLimit = 64 << 10
        /// Run command tools, `shell` and MCP servers in a bubblewrap sandbox (`Sandbox`).
        public var isolate = false
        /// Paths a sandboxed tool may read besides the system's, the root and its own program.
        public var readable: [String] = []
        /// The full environment; tools get only the allowlisted part (`ToolEnvironment`).
        public var environment: [String: String] = ProcessInfo.processInfo.environment

        public init(root: String) { self.root = root }
    }

    let file: ToolsFile
    let settings: Settings
    let confinement: Confinement
    let sandbox: Sandbox
    let mcp: (any MCPTools)?
    /// Asked before each call when `--confirm` is on; `false` refuses the call.
    let confirm: (@Sendable (ToolCall) -> Bool)?

    public init(file: ToolsFile, settings: Settings, mcp: (any MCPTools)? = nil, confirm: (@Sendable (ToolCall) -> Bool)? = nil) throws(ToolFailure) {
        self.file = file
        self.settings = settings
        self.confinement = try Confinement(root: settings.root)
        self.sandbox = try Self.sandbox(file: file, settings: settings, root: confinement.root)
        self.mcp = mcp
        self.confirm = confirm
        for name in file.commands.flatMap(\.environment) + file.mcpServers.flatMap(\.environment) where ToolEnvironment.looksSecret(name) {
            if let value = settings.environment[name] { Redactor.register(value) }
        }
    }

    /// The sandbox the settings ask for.
    public static func sandbox(file: ToolsFile, settings: Settings, root: String) throws(ToolFailure) -> Sandbox {
        guard settings.isolate else { return .none }
        let readable = (file.readable + settings.readable).map { path in
            path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        }
        return try .isolating(root: root, writable: settings.allowWrite || file.allowWrite, readable: readable)
    }

    /// Stops the MCP servers, if any were started.
    public func shutdown() async {
        await mcp?.stop()
    }

    /// Every tool a model may call here.
    public var definitions: [ToolDefinition] {
        file.localDefinitions + (mcp?.definitions ?? [])
    }

    public func run(_ call: ToolCall) async -> ChatMessage {
        let start = ContinuousClock.now
        let output: ToolOutput
        do throws(ToolFailure) {
            output = try await execute(call)
        } catch {
            output = ToolOutput(content: "error: \(error.message)", isError: true)
        }
        var message = ChatMessage(role: "tool", content: .string(output.content), toolCallID: call.id, name: call.name)
        message.extra["duration_ms"] = .double(((ContinuousClock.now - start) / .milliseconds(1) * 10).rounded() / 10)
        message.extra["exit_status"] = output.exitStatus.map { .int(Int($0)) } ?? .null
        message.extra["truncated"] = .bool(output.truncated)
        if output.isError { message.extra["is_error"] = true }
        return message
    }

    private func execute(_ call: ToolCall) async throws(ToolFailure) -> ToolOutput {
        let arguments = try parseArguments(call)
        if let confirm, !confirm(call) { throw ToolFailure("the user refused to run \(call.name)") }
        if let command = file.commands.first(where: { $0.definition.name == call.name }) {
            try validate(arguments, against: command.definition)
            return try await runCommand(command, arguments: arguments)
        }
        if let builtin = file.builtins.first(where: { $0.tool.rawValue == call.name }) {
            try validate(arguments, against: builtin.tool.definition)
            let runner = BuiltinRunner(confinement: confinement, allowWrite: settings.allowWrite || file.allowWrite,
                                       outputLimit: settings.outputLimit, environment: ToolEnvironment.forTool(settings.environment),
                                       sandbox: sandbox)
            return try await runner.run(builtin, arguments: arguments, timeout: builtin.timeout)
        }
        if let mcp, let definition = mcp.definitions.first(where: { $0.name == call.name }) {
            try validate(arguments, against: definition)
            return try await mcp.call(call.name, arguments: arguments, limit: settings.outputLimit)
        }
        let known = definitions.map(\.name).joined(separator: ", ")
        throw ToolFailure("there is no tool named \"\(call.name)\"; the tools are: \(known.isEmpty ? "none" : known)")
    }

    private func parseArguments(_ call: ToolCall) throws(ToolFailure) -> JSONObject {
        let text = call.arguments.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return JSONObject() }
        let value: JSONValue
        do {
            value = try JSONParser.parse(text)
        } catch {
            throw ToolFailure("the arguments for \(call.name) are not valid JSON (\(error)); send a JSON object")
        }
        guard let object = value.objectValue else { throw ToolFailure("the arguments for \(call.name) must be a JSON object") }
        return object
    }

    private func validate(_ arguments: JSONObject, against definition: ToolDefinition) throws(ToolFailure) {
        if let problem = JSONSchemaValidator.firstViolation(of: .object(arguments), against: definition.parameters) {
            throw ToolFailure("invalid arguments for \(definition.name): \(problem)")
        }
    }

    private func runCommand(_ command: ToolsFile.Command, arguments: JSONObject) async throws(ToolFailure) -> ToolOutput {
        guard !command.argv.isEmpty else { throw ToolFailure("\(command.definition.name) has no command to run in this tools file") }
        var environment = ToolEnvironment.forTool(settings.environment, named: command.environment)
        if command.passArgumentsAsEnvironment {
            for (key, value) in arguments.entries {
                let name = "LLM_ARG_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
                environment[name] = value.stringValue ?? value.serialized
            }
        }
        let argv = file.resolvingProgram(command.argv)
        do {
            let (argv, environment) = sandbox.command(argv, environment: environment)
            let result = try await ChildProcess.run(argv, environment: environment,
                                                    input: Array(JSONValue.object(arguments).serialized.utf8),
                                                    directory: confinement.root, timeout: command.timeout, outputLimit: settings.outputLimit)
            return ToolOutput(process: result, timeout: command.timeout, limit: settings.outputLimit)
        } catch {
            throw ToolFailure(error.message)
        }
    }
}

/// The tools of the MCP servers a tools file names; implemented in `LLMKitMCP` (a stdio
/// JSON-RPC client), so that only `llm-tools` links it.
public protocol MCPTools: Sendable {
    var definitions: [ToolDefinition] { get }
    func call(_ name: String, arguments: JSONObject, limit: Int) async throws(ToolFailure) -> ToolOutput
    /// Ends the servers and anything they started.
    func stop() async
}
