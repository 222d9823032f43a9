import Foundation

/// Turns a non-2xx response into an `LLMError` that keeps the HTTP status and the
/// provider's own message.
///
/// Error bodies differ by server (`{"error":{…}}` with a string or numeric `code`, vLLM's
/// older flat `{"object":"error",…}`, FastAPI's `{"detail":…}`, plain text); all are read.
public enum HTTPErrorMapper {
    /// `request` is what was sent: messages name the endpoint that answered, which may not
    /// be the provider's usual one (`--api-base`, a proxy).
    public static func error(for response: HTTPResponse, to request: HTTPRequest, provider: ProviderSettings, model: ModelReference) -> LLMError {
        let endpoint = "\(request.host) (\(provider.name))"
        let body = try? JSONParser.parse(response.body)
        var detail = errorDetail(body) ?? plainText(response.body)
        detail.message = oneLine(detail.message)
        let status = response.status
        let said = detail.message.isEmpty ? "" : ": \(detail.message)"
        let code = detail.code ?? ""
        let retryAfter = Self.retryAfter(response)
        func make(_ kind: LLMError.Kind, _ message: String, retryable: Bool = false) -> LLMError {
            var retry = retryable
            if let header = response.header("x-should-retry") { retry = header == "true" }
            return LLMError(kind, message, status: status, provider: provider.name, model: model.description,
                            retryable: retry, retryAfter: retry ? retryAfter : nil)
        }
        let lower = detail.message.lowercased()
        switch status {
        case 400, 413, 422:
            if code == "context_length_exceeded" || code == "exceed_context_size_error"
                || ["context length", "context size", "context window", "maximum context", "too many tokens", "prompt is too long",
                    "exceeds the maximum number of tokens"].contains(where: lower.contains)
            {
                return make(.contextLengthExceeded, "the conversation is too long for \(model)\(said)")
            }
            // Proxies (LiteLLM) and some servers answer an unknown model with a 400.
            if code == "model_not_found" || ["invalid model name", "does not exist", "unknown model"].contains(where: lower.contains)
                || lower.contains("model") && lower.contains("not found")
            {
                return make(.modelNotFound, "model \(model.name) was not found at \(endpoint)\(said)")
            }
            return make(.badRequest, "\(endpoint) rejected the request (HTTP \(status))\(said)")
        case 401:
            let key = provider.apiKeyCommand != nil ? "the key from api_key_cmd" : provider.apiKeyEnv.map { "the key in \($0)" } ?? "the API key"
            return make(.authentication, "\(endpoint) rejected \(key) (HTTP 401)\(said)")
        case 402:
            return make(.quotaExceeded, "\(endpoint) needs payment or credits (HTTP 402)\(said)")
        case 403:
            return make(.permissionDenied, "\(endpoint) refused access (HTTP 403)\(said)")
        case 404:
            if code == "model_not_found" || lower.contains("model") {
                return make(.modelNotFound, "model \(model.name) was not found at \(endpoint)\(said)")
            }
            return make(.notFound, "\(endpoint) has no such endpoint (HTTP 404: \(request.url))\(said) — check api_base")
        case 408:
            return make(.timeout, "\(endpoint) timed out the request (HTTP 408)\(said)", retryable: true)
        case 429:
            if code == "insufficient_quota" || lower.contains("quota") && !lower.contains("rate") {
                return make(.quotaExceeded, "\(endpoint) quota exhausted (HTTP 429)\(said)")
            }
            return make(.rateLimited, "\(endpoint) rate limit reached (HTTP 429)\(said)", retryable: true)
        case 503, 529:
            return make(.overloaded, "\(endpoint) is overloaded or not ready (HTTP \(status))\(said)", retryable: true)
        case 500 where ["validation error", "input should be", "value_error", "literal_error"].contains(where: lower.contains):
            // A server that reports a malformed request as a 500 (llama-cpp-python through
            // LiteLLM): the same request would fail the same way, so it is not retried.
            return make(.badRequest, "\(endpoint) rejected the request (HTTP 500)\(said)")
        case 409, 500...599:
            return make(.serverError, "\(endpoint) failed (HTTP \(status))\(said)", retryable: true)
        case 300..<400:
            let location = response.header("location").map { " to \($0); set api_base to it" } ?? ""
            return make(.notFound, "\(endpoint) redirected the request (HTTP \(status))\(location)")
        default:
            return make(.serverError, "\(endpoint) answered HTTP \(status)\(said)")
        }
    }

    struct Detail {
        var message: String
        var code: String?
    }

    static func errorDetail(_ body: JSONValue?) -> Detail? {
        guard let object = body?.objectValue else { return nil }
        if let error = object["error"]?.objectValue {
            let code = error["code"]?.stringValue ?? error["type"]?.stringValue
            return Detail(message: error["message"]?.stringValue ?? "", code: code.map { $0 } ?? nil)
        }
        if let message = object["error"]?.stringValue { return Detail(message: message, code: nil) }
        if let message = object["message"]?.stringValue {
            return Detail(message: message, code: object["code"]?.stringValue ?? object["type"]?.stringValue)
        }
        if let detail = object["detail"] {
            return Detail(message: detail.stringValue ?? detail.serialized, code: nil)
        }
        return nil
    }

    private static func plainText(_ body: [UInt8]) -> Detail {
        // Masked whole, then cut: a key across the cut would otherwise leave its first half.
        Detail(message: String(decoding: Redactor.redact(bytes: body).prefix(600), as: UTF8.self), code: nil)
    }

    /// Servers put tracebacks in messages (llama-cpp-python does); a diagnostic is one line.
    /// Keys are masked before the text is cut: a key cut in half would no longer match.
    static func oneLine(_ text: String, limit: Int = 400) -> String {
        let words = Redactor.redact(text).split(whereSeparator: { $0.isWhitespace })
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }

    /// `retry-after-ms` (preferred), else `retry-after` in seconds or as an HTTP date
    /// (RFC 9110: `Sun, 06 Nov 1994 08:49:37 GMT`; a date in the past means now).
    static func retryAfter(_ response: HTTPResponse) -> Double? {
        if let ms = response.header("retry-after-ms").flatMap(Double.init), ms.isFinite { return ms / 1000 }
        guard let value = response.header("retry-after").map({ String($0.trimmingWhitespace()) }) else { return nil }
        if let seconds = Double(value), seconds.isFinite { return seconds }
        guard let date = httpDate.date(from: value) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }

    private static let httpDate: DateFormatter = {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return format
    }()
}
