import HTTPTypes
import Hummingbird
import LLMKit
import NIOCore

/// Every failure a client is shown, in OpenAI's error shape, and nothing else: the one place
/// an error becomes bytes for a client. What the server learned on the way (an upstream's
/// address, a path, a variable's name) is `detail`, for the access log only.
struct ClientError: Error, Sendable {
    var status: Int
    /// OpenAI's code where OpenAI has one (`model_not_found`, `invalid_api_key`…), else ours.
    var code: String
    var message: String
    /// What the operator is told in the access log; never sent.
    var detail: String?
    var headers: [(HTTPField.Name, String)] = []

    init(status: Int, code: String, message: String, detail: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
    }

    /// OpenAI's `type`, from the status.
    var type: String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "server_error"
        }
    }

    var body: JSONObject {
        ["error": ["message": .string(message), "type": .string(type), "param": .null, "code": .string(code)]]
    }

    var bodyBytes: [UInt8] {
        var bytes: [UInt8] = []
        body.write(to: &bytes)
        return bytes
    }

    /// The reply's status and headers; `length`, the body's, where the reply is written
    /// by hand rather than through a `Response`.
    func head(length: Int? = nil) -> HTTPResponse {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        if let length { fields[.contentLength] = String(length) }
        for (name, value) in headers { fields[name] = value }
        return HTTPResponse(status: HTTPResponse.Status(code: status), headerFields: fields)
    }

    /// The whole reply.
    func response() -> Response {
        let head = head()
        return Response(status: head.status, headers: head.headerFields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bodyBytes)))
    }

    /// The same, as the last event of a stream that had begun.
    var event: [UInt8] { ChatCompletionEncoder.event(body) }
}

extension ClientError {
    static let invalidAPIKey = ClientError(status: 401, code: "invalid_api_key",
                                           message: "a valid key is needed: send it as Authorization: Bearer KEY")

    static func modelNotFound(_ name: String) -> ClientError {
        ClientError(status: 404, code: "model_not_found",
                    message: "the model \(name.debugDescription) does not exist: GET /v1/models lists them")
    }

    static func unknownRoute(_ method: String, _ path: String) -> ClientError {
        ClientError(status: 404, code: "unknown_url", message: "invalid URL (\(method) \(path.prefix(200)))")
    }

    static func methodNotAllowed(_ method: String, _ path: String, allowed: [String]) -> ClientError {
        var error = ClientError(status: 405, code: "method_not_allowed",
                                message: "\(method) is not allowed on \(path.prefix(200)); use \(allowed.joined(separator: " or "))")
        error.headers = [(.allow, allowed.joined(separator: ", "))]
        return error
    }

    static func busy(limit: Int) -> ClientError {
        var error = ClientError(status: 429, code: "rate_limit_exceeded",
                                message: "llm-serve is answering \(limit) requests already; try again shortly")
        error.headers = [(.retryAfter, "1")]
        return error
    }

    static let clientGone = ClientError(status: 499, code: "client_closed_request", message: "the client closed the connection")

    /// A refusal about the request itself: its message is the server's own words about what
    /// the client sent, so it is shown as it is.
    static func request(_ error: LLMError, status: Int? = nil) -> ClientError {
        ClientError(status: status ?? error.status ?? 400, code: error.code, message: error.message)
    }

    /// An agent's failure. Its own words may name the server's upstreams, files and
    /// variables, so the client gets what kind of failure it was, in words of ours, and the
    /// log gets the rest.
    static func agentFailed(_ error: LLMError, agent: String) -> ClientError {
        let detail = error.message
        switch error.kind {
        case .timeout:
            return ClientError(status: 504, code: "timeout", message: "agent \(agent) took too long to answer (timeout)", detail: detail)
        case .rateLimited:
            var refusal = ClientError(status: 429, code: "rate_limit_exceeded",
                                      message: "agent \(agent)'s model is rate limited; try again shortly", detail: detail)
            refusal.headers = [(.retryAfter, "5")]
            return refusal
        case .quotaExceeded:
            return ClientError(status: 429, code: "insufficient_quota", message: "agent \(agent)'s model is over its quota", detail: detail)
        case .contextLengthExceeded:
            return ClientError(status: 400, code: "context_length_exceeded",
                               message: "the conversation is longer than agent \(agent)'s model accepts", detail: detail)
        case .invalidInput, .badRequest, .schemaMismatch, .lineTooLong:
            return ClientError(status: 400, code: error.code,
                               message: "agent \(agent) could not use this request (\(error.code)); llm-serve's log has what it said", detail: detail)
        case .interrupted:
            return ClientError(status: 503, code: "interrupted", message: "agent \(agent) was stopped before it answered", detail: detail)
        case .overloaded, .noLocalCandidate:
            return ClientError(status: 503, code: error.code, message: "agent \(agent)'s model is overloaded; try again shortly", detail: detail)
        default:
            return ClientError(status: 502, code: "step_failed",
                               message: "agent \(agent) failed (\(error.code)); llm-serve's log has what it said", detail: detail)
        }
    }
}
