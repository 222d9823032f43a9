import Foundation
import Synchronization

/// Remembers every key this process has read and scrubs it from any text bound for
/// output: errors, `--verbose`, `--dry-run`. A provider's error message may echo the key
/// it rejected, so redaction is applied to whatever is rendered, not only to headers.
public enum Redactor {
    private static let secrets = Mutex<[String]>([])
    public static let mask = "[REDACTED]"

    public static func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { if !$0.contains(secret) { $0.append(secret) } }
    }

    public static func redact(_ text: String) -> String {
        secrets.withLock { list in
            list.reduce(text) { $0.replacingOccurrences(of: $1, with: mask) }
        }
    }
}

/// Finds a provider's key: `api_key_cmd` output, else the environment variable.
public enum APIKeyResolver {
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
