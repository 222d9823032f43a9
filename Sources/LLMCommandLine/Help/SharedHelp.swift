import LLMKit

/// The rows several tools' help shares: the statuses of asking a model, the variables that
/// choose and configure it, and the files it reads.
public enum SharedHelp {
    /// What asking a model can end with, after success: llm-complete's and llm-stream's
    /// statuses, and what llm-tools passes on from the commands it runs.
    public static let requestStatuses: [(ExitStatus, String)] = [
        (.usage, "bad command line, or a model string naming no known provider"),
        (.dataError, "bad input (the message names the line), a refused record, a request the server rejected or too long for the model, or a reply that does not fit --schema"),
        (.unavailable, "server unreachable or not speaking the API, model missing, offline with no local model, or every fallback failed"),
        (.software, "internal error: a bug in llmkit"),
        (.ioError, "reading the input or writing the output failed"),
        (.temporaryFailure, "rate limited, overloaded, a server error, a timeout or a stream cut off, after retries"),
        (.permission, "API key missing, rejected or out of quota"),
        (.configuration, "bad configuration file or environment"),
        (.interrupted, "SIGINT, SIGTERM or SIGHUP; what was received is still written"),
    ]

    /// The variables every tool that asks a model reads.
    public static let requestEnvironment: [HelpTable.Row] = [
        .init("LLMKIT_MODEL", "the model when -m is not given (default: the config's default_model, else llamacpp/default)"),
        .init("LLMKIT_TIMEOUT", "seconds per request when --timeout is not given"),
        .init("LLMKIT_API_BASE", "the server's URL when --api-base is not given"),
    ] + configEnvironment + [
        .init("OPENAI_API_KEY, ...", "a provider's key: --list-providers names each provider's variable; a blank one is no key"),
    ]

    /// The variables that find the config file.
    public static let configEnvironment: [HelpTable.Row] = [
        .init("LLMKIT_CONFIG", "the config file, instead of the usual place"),
        .init("XDG_CONFIG_HOME", "the usual place is $XDG_CONFIG_HOME/llmkit/config.yaml (default: ~/.config)"),
    ]

    /// The config file, for a Files section.
    public static let configFile = HelpTable.Row(
        "~/.config/llmkit/config.yaml",
        "providers, aliases, routing, fallbacks and prices (see llmkit(5)); none is needed for local models")
}
