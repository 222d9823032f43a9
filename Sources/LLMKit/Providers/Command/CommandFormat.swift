/// Programs that run a model on this machine (`cmd/NAME`): `llama-cli`, `mlx_lm.generate`,
/// a script. Each is declared in the config under `providers.cmd.commands.NAME`.
public enum CommandFormat: ProviderFormat {
    public static let name = "cmd"
    public static let capabilities = ProviderCapabilities(tools: true, streaming: true, structuredOutput: false, reasoning: false)
    public static let optionKeys: Set<String> = ["commands"]
    public static let needsEndpoint = false

    public static func problem(in options: JSONObject, provider: String) -> String? {
        guard let commands = options["commands"] else { return nil }
        guard let map = commands.objectValue else { return "commands must map names to commands" }
        for (name, value) in map.entries {
            if case .failure(let problem) = RunnerCommand.parse(value) { return "commands.\(name): \(problem.message)" }
        }
        return nil
    }

    public static func presets(environment: Environment) -> [ProviderSettings] {
        [ProviderSettings(name: name, format: name)]
    }

    public static func make(_ settings: ProviderSettings, context: ProviderContext) throws(LLMError) -> any Provider {
        CommandProvider(settings: settings, environment: context.environment)
    }
}

/// One declared runner: the program and arguments (no shell), what it reads, what it writes.
struct RunnerCommand: Sendable {
    enum Input: String, Sendable {
        /// The prompt as plain text.
        case text
        /// The conversation as JSON Lines records (a `tools` record first, when there are tools).
        case jsonl
    }

    enum Output: String, Sendable {
        /// The reply's text; streamed as it is written.
        case text
        /// One assistant message as JSON (text, tool calls, usage), written at the end.
        case message
    }

    var argv: [String]
    var input = Input.text
    var output = Output.text
    var timeout = 600.0
    /// Variables passed besides the allowlist every tool gets.
    var environment: [String] = []

    static func parse(_ value: JSONValue) -> Result<RunnerCommand, RunnerProblem> {
        var o: JSONObject
        switch value {
        case .array: o = ["argv": value]
        case .object(let object): o = object
        default: return .failure("must be a list of arguments, or a mapping with argv:")
        }
        if let unknown = o.entries.map(\.0).first(where: { !FileKeys.runner.contains($0) }) {
            return .failure("\(unknown) is not a setting; a command has \(FileKeys.runner.sorted().joined(separator: ", "))")
        }
        guard let items = o["argv"]?.arrayValue, !items.isEmpty else { return .failure("argv must list the program and its arguments") }
        let argv = items.compactMap(\.stringValue)
        guard argv.count == items.count, !argv[0].isEmpty else { return .failure("argv must be strings, the program first") }
        // A relative path would mean a different program in every directory llmkit runs in.
        guard argv[0].hasPrefix("/") || !argv[0].contains("/") else {
            return .failure("the program must be an absolute path or a name found on PATH, not \(argv[0])")
        }
        var command = RunnerCommand(argv: argv)
        if let input = o["input"] {
            guard let parsed = input.stringValue.flatMap(Input.init(rawValue:)) else { return .failure("input must be text or jsonl") }
            command.input = parsed
        }
        if let output = o["output"] {
            guard let parsed = output.stringValue.flatMap(Output.init(rawValue:)) else { return .failure("output must be text or message") }
            command.output = parsed
        }
        if let timeout = o["timeout"] {
            guard let seconds = timeout.doubleValue, seconds > 0, seconds <= RequestOptions.maxSeconds else {
                return .failure("timeout must be a positive number of seconds")
            }
            command.timeout = seconds
        }
        if let env = o["env"] {
            guard let names = env.arrayValue?.compactMap(\.stringValue), names.count == env.arrayValue?.count else {
                return .failure("env must list variable names")
            }
            command.environment = names
        }
        return .success(command)
    }
}

struct RunnerProblem: Error, ExpressibleByStringInterpolation {
    var message: String
    init(stringLiteral value: String) { message = value }
    init(stringInterpolation: DefaultStringInterpolation) { message = String(stringInterpolation: stringInterpolation) }
}

extension Result where Failure == RunnerProblem {
    static func failure(_ message: String) -> Self { .failure(RunnerProblem(stringLiteral: message)) }
}
