/// Progress and diagnostics for a person, on stderr (which redacts every known secret).
public struct Log: Sendable {
    public var tool: String
    public var isVerbose: Bool

    public init(tool: String, verbose: Bool) {
        self.tool = tool
        self.isVerbose = verbose
    }

    /// Built only when `-v` is on, so quiet runs pay nothing for the message.
    public func verbose(_ message: () -> String) {
        guard isVerbose else { return }
        StandardError.report(tool, message())
    }

    public func note(_ message: String) {
        StandardError.report(tool, message)
    }

    public func error(_ error: LLMError) {
        StandardError.report(tool, "error: " + error.message)
    }
}
