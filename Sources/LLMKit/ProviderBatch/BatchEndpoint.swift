import Foundation

/// The HTTP side of a batch service: the provider's endpoint, headers and key, error
/// mapping, and a refusal to send the key anywhere else.
struct BatchEndpoint: Sendable {
    var settings: ProviderSettings
    /// The provider's own headers, its key among them.
    var headers: [(name: String, value: String)]
    /// What the job's own failures are attributed to.
    var model: ModelReference
    /// The URL one request would go to (`…/v1/chat/completions`).
    var requestURL: String
    var client = HTTPClient.shared
    /// Each call to the service; a job's files can be large, so uploads get longer.
    var timeout = 300.0

    /// `requestURL` without `suffix`: the base the service's paths hang from.
    func base(dropping suffix: String) -> String {
        requestURL.hasSuffix(suffix) ? String(requestURL.dropLast(suffix.count)) : requestURL
    }

    /// The path of a URL (`/v1/chat/completions`), as OpenAI's batch lines name it.
    static func path(of url: String) -> String {
        guard let scheme = url.range(of: "://"), let slash = url[scheme.upperBound...].firstIndex(of: "/") else { return "/" }
        return String(url[slash...])
    }

    /// Ids come from the server: one is escaped so that it stays one path segment, and
    /// `.` or `..` cannot climb to another endpoint of the provider.
    static func pathSegment(_ id: String) -> String {
        let escaped = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? id
        return escaped.allSatisfy { $0 == "." } ? escaped.replacingOccurrences(of: ".", with: "%2E") : escaped
    }

    /// A URL the service handed back (a results URL) is fetched with the key only if it
    /// is on the provider's own scheme, host and port.
    func checkSameOrigin(_ url: String) throws(LLMError) {
        guard let ours = try? ParsedURL(requestURL), let theirs = try? ParsedURL(url),
              ours.scheme == theirs.scheme, ours.authority == theirs.authority else {
            throw LLMError(.invalidReply, "\(settings.name) gave a results URL on another host (\((try? ParsedURL(url))?.shown ?? "not a URL")); "
                           + "the key is not sent there", provider: settings.name, model: model.description)
        }
    }

    func send(_ method: String, _ url: String, body: [UInt8]? = nil, contentType: String = "application/json") async throws(LLMError) -> HTTPResponse {
        var http = HTTPRequest(method: method, url: url, headers: (body == nil ? [] : [("Content-Type", contentType)]) + headers, body: body)
        http.timeout = settings.timeout ?? timeout
        http.maxBodyBytes = max(settings.maxReplyBytes, 1 << 30)
        let response: HTTPResponse
        do {
            response = try await client.send(http)
        } catch {
            throw error.llmError(provider: settings, timeout: http.timeout).attributed(provider: settings.name, model: model.description)
        }
        guard (200..<300).contains(response.status) else {
            throw HTTPErrorMapper.error(for: response, to: http, provider: settings, model: model)
        }
        return response
    }

    func json(_ method: String, _ url: String, body: JSONValue? = nil) async throws(LLMError) -> JSONObject {
        let response = try await send(method, url, body: body.map { Array($0.serialized.utf8) })
        guard let object = (try? JSONParser.parse(response.body))?.objectValue else {
            throw LLMError(.invalidReply, "\(settings.name) answered \(method) \(HTTPRequest(url: url).shownURL) with something that is not a JSON object",
                           provider: settings.name, model: model.description)
        }
        return object
    }

    /// A failed request inside a job, read as if it had been answered on its own.
    func error(for outcome: BatchOutcome, model: ModelReference) -> LLMError? {
        switch outcome {
        case .reply: return nil
        case .failed(let status, let body):
            let response = HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Array(body.serialized.utf8))
            return HTTPErrorMapper.error(for: response, to: HTTPRequest(url: requestURL), provider: settings, model: model)
        case .notRun(let kind, let message):
            return LLMError(kind, message, provider: settings.name, model: model.description, retryable: kind == .timeout ? true : nil)
        }
    }

    /// Reads a JSON Lines file of results; a line that is not an object is skipped.
    static func lines(_ body: [UInt8]) -> [JSONObject] {
        body.split(separator: 0x0A).compactMap { line in
            (try? JSONParser.parse(String(decoding: line, as: UTF8.self)))?.objectValue
        }
    }
}
