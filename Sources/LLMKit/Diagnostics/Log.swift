/// Progress and diagnostics for a person, on stderr (which redacts every known secret).
public struct Log: Sendable {
    public var tool: String
    public var isVerbose: Bool
    /// `--explain`: say which rule chose which model, and each fallback taken.
    public var explains = false

    public init(tool: String, verbose: Bool) {
        self.tool = tool
        self.isVerbose = verbose
    }

    /// Built only when `-v` is on, so quiet runs pay nothing for the message.
    public func verbose(_ message: () -> String) {
        guard isVerbose else { return }
        StandardError.report(tool, message())
    }

    /// With `--explain` (or `-v`): the route stage's decisions.
    public func explain(_ line: String) {
        guard explains || isVerbose else { return }
        StandardError.report(tool, line)
    }

    public func note(_ message: String) {
        StandardError.report(tool, message)
    }

    public func error(_ error: LLMError) {
        StandardError.report(tool, "error: " + error.message)
    }
}
