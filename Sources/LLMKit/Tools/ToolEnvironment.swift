/// The environment a tool runs with: the user's, minus anything that looks like a secret.
///
/// Tools run arguments a model chose; a key in their environment is a key one prompt
/// injection away from leaking. Removed: `*_API_KEY`, `*_TOKEN`, `*_SECRET`, `*_PASSWORD`,
/// and every variable a provider is configured to read its key from.
public enum ToolEnvironment {
    public static func scrubbed(_ environment: [String: String], keyVariables: Set<String>) -> [String: String] {
        environment.filter { name, _ in
            let upper = name.uppercased()
            if keyVariables.contains(name) { return false }
            return !["_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD", "_KEY"].contains { upper.hasSuffix($0) }
                && !["API_KEY", "TOKEN", "SECRET", "PASSWORD"].contains(upper)
        }
    }

    /// Every variable a provider of this config may read a key from.
    public static func keyVariables(config: Config, environment: Environment) -> Set<String> {
        var names: Set<String> = []
        for provider in config.knownProviders {
            if let variable = config.provider(provider, environment: environment)?.apiKeyEnv { names.insert(variable) }
        }
        return names
    }
}
