/// The environment a tool runs with: an allowlist, plus what its tools-file entry names.
///
/// Tools run arguments a model chose; any secret in their environment is one prompt
/// injection away from leaking. A denylist always misses one (`SSH_AUTH_SOCK`,
/// `PGPASSWORD`, `DATABASE_URL`…), so nothing passes unless it is on the list below or
/// named by the entry (`env: [GITHUB_TOKEN]`).
public enum ToolEnvironment {
    /// What ordinary programs need to run, find things and print text.
    public static let allowed: Set<String> = [
        "PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TERM", "USER", "LOGNAME", "TMPDIR", "SHELL",
        "COLUMNS", "LINES", "NO_COLOR",
    ]

    public static func isAllowed(_ name: String) -> Bool {
        allowed.contains(name) || name.hasPrefix("LC_")
    }

    /// The allowlisted part of `environment`, plus the variables in `named`.
    public static func forTool(_ environment: [String: String], named: [String] = []) -> [String: String] {
        environment.filter { name, _ in isAllowed(name) || named.contains(name) }
    }

    /// Names that say "secret": a value passed under one is masked in what llmkit prints.
    public static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "CREDENTIALS", "AUTH"].contains { upper.hasSuffix($0) }
            || upper.hasSuffix("_URL") && upper.contains("DATABASE")
    }
}
