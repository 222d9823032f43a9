/// The keys of every file llmkit reads, in one place: each parser refuses any other key
/// (naming these), and a test holds the README's configuration reference, which is
/// llmkit(5), to exactly these — so a misspelt setting is an error, never silently not made.
public enum FileKeys {
    /// The config file's top level.
    public static let config: Set<String> = [
        "default_model", "aliases", "providers", "prices", "prefer", "fallbacks", "context_windows", "routes",
    ]
    /// `providers.NAME`: the settings every provider has, then each wire format's own.
    public static let provider: Set<String> = ProviderRegistry.formats.reduce(ConfigLoader.commonKeys) { $0.union($1.optionKeys) }
    /// `providers.NAME.commands.RUNNER` of a `cmd` provider.
    public static let runner: Set<String> = ["argv", "input", "output", "timeout", "env"]
    /// `routes.NAME[i]`.
    public static let routeRule: Set<String> = ["model", "when", "fallbacks"]
    /// `routes.NAME[i].when`.
    public static let routeCondition: Set<String> = Set(RoutingConfig.conditionKeys)
    /// `prices.MODEL`, and llmkit's own form of a `--prices` file.
    public static let price: Set<String> = ["input", "output", "cache_read", "cache_write", "cache_write_1h", "reasoning", "per_hour"]

    /// The tools file's top level (`type` when the file is a `tools` record).
    public static let toolsFile: Set<String> = ["root", "allow_write", "readable", "tools", "mcp", "type"]
    /// A command tool, or a definition alone (`type` and `function`: OpenAI's wrapper).
    /// `strict` and `cache_control` come with definitions pasted from OpenAI's and
    /// Anthropic's documentation: accepted, so the paste loads, and not sent.
    public static let commandTool: Set<String> = [
        "name", "description", "parameters", "input_schema", "type", "function", "command", "timeout", "env", "arguments_env",
        "strict", "cache_control",
    ]
    /// A built-in tool.
    public static let builtinTool: Set<String> = ["builtin", "allow", "hosts", "timeout"]
    /// An MCP server.
    public static let mcpServer: Set<String> = ["name", "command", "tools", "timeout", "env", "prefix"]

    /// The agents file's top level.
    public static let agentsFile: Set<String> = ["agents"]
    /// An agent.
    public static let agent: Set<String> = [
        "name", "description", "command", "model", "system", "tools", "passthrough", "client_tools",
        "show_steps", "workdir", "tasks", "timeout", "max_turns",
    ]

    public static var all: Set<String> {
        [config, provider, runner, routeRule, routeCondition, price, toolsFile, commandTool, builtinTool, mcpServer, agentsFile, agent]
            .reduce([]) { $0.union($1) }
    }
}

extension FileKeys {
    /// `place: unknown key `x` (known: …)` for the first key of `object` not in `known`.
    public static func unknown(in object: JSONObject, known: Set<String>, at place: String) -> String? {
        guard let key = object.keys.first(where: { !known.contains($0) }) else { return nil }
        return "\(place): unknown key `\(key)` (known: \(known.sorted().joined(separator: ", ")))"
    }
}
