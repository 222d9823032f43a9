/// Which failures another model may fix. A fallback is tried only for failures of the
/// model or its server; a failure of the request itself would fail the same way anywhere.
public enum FallbackPolicy {
    /// Whether a failure of this kind moves on to the next candidate. A context-length
    /// failure does only towards a model with a larger window (`allows`).
    public static func fallsBack(_ kind: LLMError.Kind) -> Bool {
        switch kind {
        case .missingAPIKey, .authentication, .permissionDenied, .quotaExceeded, .modelNotFound, .notFound,
             .rateLimited, .serverError, .overloaded, .timeout, .connectionFailed, .invalidReply, .streamInterrupted,
             .contextLengthExceeded:
            true
        case .usage, .invalidInput, .lineTooLong, .configuration, .unknownProvider, .badRequest, .schemaMismatch,
             .ioError, .interrupted, .internalError, .stepFailed, .noLocalCandidate, .fallbacksFailed:
            false
        }
    }

    /// Whether `candidate` may follow a failure with `error`. `contextFloor` is the largest
    /// context window among the models that failed for context length.
    static func allows(_ candidate: RouteCandidate, after error: LLMError, contextFloor: Int?) -> Bool {
        guard fallsBack(error.kind) else { return false }
        guard error.kind == .contextLengthExceeded else { return true }
        guard let contextFloor, let window = candidate.contextWindow else { return false }
        return window > contextFloor
    }
}
