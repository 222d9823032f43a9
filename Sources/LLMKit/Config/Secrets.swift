import Foundation

/// Finds a provider's key: `api_key_cmd` output, else the environment variable.
public enum APIKeyResolver {
    /// Every variable a provider of this config may read a key from.
    public static func keyVariables(config: Config, environment: Environment) -> Set<String> {
        var names: Set<String> = []
        for provider in config.knownProviders {
            names.formUnion(config.provider(provider, environment: environment)?.apiKeyEnvs ?? [])
        }
        return names
    }

    /// Registers every key the environment holds for any provider, used or not, so that a
    /// key that arrives by another road (an input record, a tool's output) is masked too.
    /// Reads variables only: no `api_key_cmd` runs for a provider that is not used.
    public static func registerEnvironmentKeys(config: Config, environment: Environment) {
        for variable in keyVariables(config: config, environment: environment) {
            if let key = environment[variable] { Redactor.register(String(key.trimmingWhitespace())) }
        }
    }

    /// A provider's own `api_key_cmd` before its variable: the command was configured for
    /// that provider on purpose, while a variable such as OPENAI_API_KEY is shared by every
    /// tool, and a provider whose `api_base` is a proxy must not be handed it. A variable
    /// holding only whitespace holds no key. With `credentials: false` (`--dry-run`) no
    /// command runs and a missing key is no error: the request is shown with the key
    /// masked, so a stand-in does.
    public static func resolve(_ settings: ProviderSettings, environment: Environment, configPath: String?,
                               credentials: Bool = true) throws(LLMError) -> String? {
        if credentials, let command = settings.apiKeyCommand {
            let key = try run(command, provider: settings.name, timeout: settings.apiKeyTimeout)
            Redactor.register(key)
            return key
        }
        for variable in settings.apiKeyEnvs {
            guard let value = environment[variable] else { continue }
            let key = String(value.trimmingWhitespace())
            guard !key.isEmpty else { continue }
            Redactor.register(key)
            return key
        }
        guard credentials else { return settings.keyRequired || settings.apiKeyCommand != nil ? Redactor.mask : nil }
        guard settings.keyRequired else { return nil }
        let variables = settings.apiKeyEnvs.isEmpty ? ["\(settings.name.uppercased())_API_KEY"] : settings.apiKeyEnvs
        let place = configPath ?? "the config file"
        throw LLMError(
            .missingAPIKey,
            "\(variables.joined(separator: " or ")) is not set: export \(variables[0])=… or set providers.\(settings.name).api_key_cmd in \(place)",
            provider: settings.name)
    }

    /// Runs the configured command through `/bin/sh`, with the user's environment (a secret
    /// manager needs it) and a deadline; its stdout, trimmed, is the key.
    private static func run(_ command: String, provider: String, timeout: Double) throws(LLMError) -> String {
        let result: ChildProcess.Result
        do {
            result = try ChildProcess.runAndWait(["/bin/sh", "-c", command], environment: Environment.current.values,
                                                 timeout: timeout, outputLimit: 64 << 10)
        } catch {
            throw LLMError(.missingAPIKey, "cannot run api_key_cmd for \(provider): \(error.message)", provider: provider)
        }
        if result.timedOut {
            throw LLMError(.missingAPIKey, "api_key_cmd for \(provider) did not finish within \(ToolOutput.seconds(timeout)) s "
                           + "(raise providers.\(provider).api_key_timeout)", provider: provider)
        }
        guard result.exitStatus == 0 else {
            let said = HTTPErrorMapper.oneLine(String(decoding: result.stderr, as: UTF8.self), limit: 200)
            throw LLMError(.missingAPIKey, "api_key_cmd for \(provider) failed with " + (result.exitStatus.map { "exit status \($0)" } ?? "a signal")
                           + (said.isEmpty ? "" : ": \(said)"), provider: provider)
        }
        let key = String(String(decoding: result.stdout, as: UTF8.self).trimmingWhitespace())
        guard !key.isEmpty else {
            throw LLMError(.missingAPIKey, "api_key_cmd for \(provider) printed no key", provider: provider)
        }
        return key
    }
}
