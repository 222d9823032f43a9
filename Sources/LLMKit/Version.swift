/// The version every tool reports with `--version`.
public enum LLMKitVersion {
    public static let current = "0.1.0"
}
