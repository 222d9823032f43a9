/// Every failure llmkit reports: rendered once, as a line on stderr and, where a pipeline
/// is reading, as an `error` record on stdout.
public struct LLMError: Error, Sendable, Equatable {
    /// The stable, snake_case vocabulary scripts may match on; each kind fixes the exit status.
    public enum Kind: String, Sendable, CaseIterable {
        case usage = "usage_error"
        case invalidInput = "invalid_input"
        case lineTooLong = "line_too_long"
        case configuration = "config_error"
        case unknownProvider = "unknown_provider"
        case missingAPIKey = "missing_api_key"
        case authentication = "authentication_failed"
        case permissionDenied = "permission_denied"
        case quotaExceeded = "quota_exceeded"
        case badRequest = "bad_request"
        case contextLengthExceeded = "context_length_exceeded"
        case modelNotFound = "model_not_found"
        case notFound = "not_found"
        case rateLimited = "rate_limited"
        case serverError = "server_error"
        case overloaded = "overloaded"
        case timeout = "timeout"
        case connectionFailed = "connection_failed"
        /// A stream that ended, or lost its connection, after part of the reply was out.
        case streamInterrupted = "stream_interrupted"
        /// Offline (`--offline`, or `prefer: local` with no network), and no candidate is local.
        case noLocalCandidate = "no_local_candidate"
        /// The model and every fallback failed; the message says how each did.
        case fallbacksFailed = "fallbacks_failed"
        case invalidReply = "invalid_reply"
        case schemaMismatch = "schema_mismatch"
        case ioError = "io_error"
        case interrupted = "interrupted"
        /// `llm-tools loop`'s model command failed and wrote no error record of its own.
        case stepFailed = "step_failed"
        case internalError = "internal_error"

        public var exitStatus: ExitStatus {
            switch self {
            case .usage, .unknownProvider: .usage
            case .invalidInput, .lineTooLong, .badRequest, .contextLengthExceeded, .schemaMismatch: .dataError
            case .configuration: .configuration
            case .missingAPIKey, .authentication, .permissionDenied, .quotaExceeded: .permission
            case .modelNotFound, .notFound, .connectionFailed, .invalidReply, .noLocalCandidate, .fallbacksFailed: .unavailable
            case .rateLimited, .serverError, .overloaded, .timeout, .streamInterrupted: .temporaryFailure
            case .ioError: .ioError
            case .interrupted: .interrupted
            case .internalError, .stepFailed: .software
            }
        }
    }

    public var kind: Kind
    /// What happened and what to do about it, for a person.
    public var message: String
    public var status: Int?
    public var provider: String?
    public var model: String?
    public var retryable: Bool?
    /// Seconds the server asked us to wait before retrying.
    public var retryAfter: Double?

    public init(
        _ kind: Kind, _ message: String, status: Int? = nil, provider: String? = nil,
        model: String? = nil, retryable: Bool? = nil, retryAfter: Double? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.provider = provider
        self.model = model
        self.retryable = retryable
        self.retryAfter = retryAfter
    }

    public var code: String { kind.rawValue }
    public var exitStatus: ExitStatus { kind.exitStatus }

    /// The error as a protocol record: `{"type":"error","code":…,"message":…}`.
    public var record: JSONObject {
        var o = JSONObject()
        o["type"] = "error"
        o["code"] = .string(code)
        o["message"] = .string(message)
        o.set("status", status.map(JSONValue.int))
        o.set("provider", provider.map(JSONValue.string))
        o.set("model", model.map(JSONValue.string))
        o.set("retryable", retryable.map(JSONValue.bool))
        return o
    }

    /// Fills in provider and model where the failing layer did not know them.
    public func attributed(provider: String?, model: String?) -> LLMError {
        var copy = self
        if copy.provider == nil { copy.provider = provider }
        if copy.model == nil { copy.model = model }
        return copy
    }
}

extension LLMError: CustomStringConvertible {
    public var description: String { message }
}
