import Foundation

/// Turns a non-2xx response into an `LLMError` that keeps the HTTP status and the
/// provider's own message.
///
/// Error bodies differ by server (`{"error":{…}}` with a string or numeric `code`, vLLM's
/// older flat `{"object":"error",…}`, FastAPI's `{"detail":…}`, plain text); all are read.
public enum HTTPErrorMapper {
    public static func error(for response: HTTPResponse, provider: ProviderSettings, model: ModelReference) -> LLMError {
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
                || ["context length", "context size", "context window", "maximum context", "too many tokens", "prompt is too long"].contains(where: lower.contains)
            {
                return make(.contextLengthExceeded, "the conversation is too long for \(model)\(said)")
            }
            return make(.badRequest, "\(provider.name) rejected the request (HTTP \(status))\(said)")
        case 401:
            let variable = provider.apiKeyCommand != nil ? "the key from api_key_cmd" : (provider.apiKeyEnv ?? "the API key")
            return make(.authentication, "\(provider.name) rejected the credentials (HTTP 401)\(said) — check \(variable)")
        case 402:
            return make(.quotaExceeded, "\(provider.name) needs payment or credits (HTTP 402)\(said)")
        case 403:
            return make(.permissionDenied, "\(provider.name) refused access (HTTP 403)\(said)")
        case 404:
            if code == "model_not_found" || lower.contains("model") {
                return make(.modelNotFound, "model \(model.name) was not found at \(provider.name)\(said)")
            }
            return make(.notFound, "\(provider.name) has no such endpoint (HTTP 404) at \(provider.apiBase ?? "?")\(said) — check api_base")
        case 408:
            return make(.timeout, "\(provider.name) timed out the request (HTTP 408)\(said)", retryable: true)
        case 429:
            if code == "insufficient_quota" || lower.contains("quota") && !lower.contains("rate") {
                return make(.quotaExceeded, "\(provider.name) quota exhausted (HTTP 429)\(said)")
            }
            return make(.rateLimited, "\(provider.name) rate limit reached (HTTP 429)\(said)", retryable: true)
        case 503, 529:
            return make(.overloaded, "\(provider.name) is overloaded or not ready (HTTP \(status))\(said)", retryable: true)
        case 409, 500...599:
            return make(.serverError, "\(provider.name) failed (HTTP \(status))\(said)", retryable: true)
        case 300..<400:
            let location = response.header("location").map { " to \($0); set api_base to it" } ?? ""
            return make(.notFound, "\(provider.name) redirected the request (HTTP \(status))\(location)")
        default:
            return make(.serverError, "\(provider.name) answered HTTP \(status)\(said)")
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
        Detail(message: String(decoding: body.prefix(600), as: UTF8.self), code: nil)
    }

    /// Servers put tracebacks in messages (llama-cpp-python does); a diagnostic is one line.
    static func oneLine(_ text: String, limit: Int = 400) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let line = words.joined(separator: " ")
        return line.count > limit ? String(line.prefix(limit)) + "…" : line
    }

    /// `retry-after-ms` (preferred), else `retry-after` in seconds.
    static func retryAfter(_ response: HTTPResponse) -> Double? {
        if let ms = response.header("retry-after-ms").flatMap(Double.init) { return ms / 1000 }
        if let seconds = response.header("retry-after").flatMap(Double.init) { return seconds }
        return nil
    }
}
