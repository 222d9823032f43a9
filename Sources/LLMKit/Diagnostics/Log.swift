/// Progress and diagnostics for a person, on stderr, with every known secret redacted.
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
        StandardError.report(tool, Redactor.redact(message()))
    }

    public func note(_ message: String) {
        StandardError.report(tool, Redactor.redact(message))
    }

    public func error(_ error: LLMError) {
        StandardError.report(tool, "error: " + Redactor.redact(error.message))
    }
}
