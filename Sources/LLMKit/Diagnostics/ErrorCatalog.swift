/// Every error code with its exit status and what llmkit does about it: the table the
/// man pages print, made from the code itself so the two cannot drift apart.
public enum ErrorCatalog {
    public static func meaning(_ kind: LLMError.Kind) -> String {
        switch kind {
        case .usage: "bad command line"
        case .invalidInput: "a malformed or refused input record"
        case .lineTooLong: "an input line over the size limit"
        case .configuration: "a mistake in the config file or environment"
        case .unknownProvider: "a model string naming no known provider"
        case .missingAPIKey: "the provider's key is not set"
        case .authentication: "the key was rejected (401)"
        case .permissionDenied: "the key may not do this (403)"
        case .quotaExceeded: "credits or quota used up (402, 429 insufficient_quota)"
        case .badRequest: "the server rejected the request (400, 413, 422)"
        case .contextLengthExceeded: "the conversation is too long for the model"
        case .modelNotFound: "the server does not serve the model"
        case .notFound: "no such endpoint, or a redirect (not followed)"
        case .rateLimited: "rate limited (429)"
        case .serverError: "the server failed (500, 502, 409…)"
        case .overloaded: "overloaded or still loading (503, 529)"
        case .timeout: "no answer within --timeout, or silent past --idle-timeout"
        case .connectionFailed: "refused, unresolvable, TLS failure, or the connection dropped"
        case .streamInterrupted: "a stream cut off after part of the reply (kept)"
        case .noLocalCandidate: "offline, and no local model to route to"
        case .fallbacksFailed: "the model and every fallback failed"
        case .invalidReply: "the server's answer is not an API reply, or too large"
        case .schemaMismatch: "the reply does not fit --schema"
        case .ioError: "reading or writing failed"
        case .interrupted: "stopped by a signal"
        case .stepFailed: "llm-tools loop's command failed silently, or an llm-serve agent's setup failed (see its log)"
        case .internalError: "a bug in llmkit"
        }
    }

    /// How a failure of this kind is retried on the same model, for the man pages.
    public static func retried(_ kind: LLMError.Kind) -> String {
        switch kind {
        case .rateLimited, .overloaded: "yes, after retry-after or a backoff"
        case .serverError: "yes (unless the server says x-should-retry: false)"
        case .timeout, .connectionFailed: "yes if nothing was received (a refused local server: no)"
        case .streamInterrupted: "no (only with --retry-partial)"
        default: "no"
        }
    }

    /// Lines for a man page: `code  exit  retried  falls back  meaning`.
    ///
    /// Every tool builds its help text at start, even for a request, so this appends to one
    /// string: an array's `joined` is generic code the runtime looks up by name, which cost
    /// more than the rest of the table.
    public static var manual: String {
        var text = "Error codes (the \"code\" of an error record), their exit status, whether the same model is retried, and whether a fallback is tried:"
        for kind in LLMError.Kind.allCases {
            let fallback = kind == .contextLengthExceeded ? "only to a larger context_windows entry" : FallbackPolicy.fallsBack(kind) ? "yes" : "no"
            text += "\n  \(kind.rawValue) (exit \(kind.exitStatus.rawValue)): \(meaning(kind)); retried: \(retried(kind)); falls back: \(fallback)"
        }
        return text
    }
}
