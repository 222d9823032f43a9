import Foundation

/// Finds a provider's key: `api_key_cmd` output, else the environment variable.
public enum APIKeyResolver {
    /// Every variable a provider of this config may read a key from.
    public static func keyVariables(config: Config, environment: Environment) -> Set<String> {
        var names: Set<String> = []
        for provider in config.knownProviders {
            if let variable = config.provider(provider, environment: environment)?.apiKeyEnv { names.insert(variable) }
        }
        return names
    }

    /// Registers every key the environment holds for any provider, used or not, so that a
    /// key that arrives by another road (an input record, a tool's output) is masked too.
    /// Reads variables only: no `api_key_cmd` runs for a provider that is not used.
    public static func registerEnvironmentKeys(config: Config, environment: Environment) {
        for variable in keyVariables(config: config, environment: environment) {
            if let key = environment[variable] { Redactor.register(key.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }

    public static func resolve(_ settings: ProviderSettings, environment: Environment, configPath: String?) throws(LLMError) -> String? {
        if let command = settings.apiKeyCommand {
            let key = try run(command, provider: settings.name)
            Redactor.register(key)
            return key
        }
        if let variable = settings.apiKeyEnv, let key = environment[variable] {
            let key = key.trimmingCharacters(in: .whitespacesAndNewlines)
            Redactor.register(key)
            return key
        }
        guard settings.keyRequired else { return nil }
        let variable = settings.apiKeyEnv ?? "\(settings.name.uppercased())_API_KEY"
        let place = configPath ?? "the config file"
        throw LLMError(
            .missingAPIKey,
            "\(variable) is not set: export \(variable)=… or set providers.\(settings.name).api_key_cmd in \(place)",
            provider: settings.name)
    }

    /// Runs the configured command through `/bin/sh`; its stdout, trimmed, is the key.
    private static func run(_ command: String, provider: String) throws(LLMError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw LLMError(.missingAPIKey, "cannot run api_key_cmd for \(provider): \(error.localizedDescription)", provider: provider)
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else {
            throw LLMError(.missingAPIKey, "api_key_cmd for \(provider) failed with exit status \(process.terminationStatus)", provider: provider)
        }
        guard !key.isEmpty else {
            throw LLMError(.missingAPIKey, "api_key_cmd for \(provider) printed no key", provider: provider)
        }
        return key
    }
}
