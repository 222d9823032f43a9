import HTTPTypes
import Hummingbird
import LLMKit

/// What keeps a web page in the operator's browser from using the server: a page can make
/// the browser send requests here (a form, a `fetch` without a preflight, or any request at
/// all once its own name is rebound to 127.0.0.1), so the `Host` must be one of the server's
/// names, an `Origin` must be one the operator listed, and a POST must be JSON, which no page
/// can send cross-site without a preflight this guard answers only for listed origins.
struct BrowserGuard: RouterMiddleware {
    typealias Context = ServeContext
    let policy: BrowserPolicy

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        // HTTP/1.1 asks for exactly one Host; a second, which the first would hide, is refused.
        guard let host = request.head.authority, request.headers[values: Self.host].isEmpty else {
            throw ClientError(status: 400, code: "invalid_request", message: "the request needs exactly one Host header")
        }
        if !policy.allows(host: host) {
            throw ClientError(status: 421, code: "misdirected_request",
                              message: "this server does not answer to the name \(String(host.prefix(100)).debugDescription)")
        }
        if let origin = request.headers[.origin] {
            guard policy.allows(origin: origin) else {
                throw ClientError(status: 403, code: "origin_not_allowed",
                                  message: "requests from web pages at \(String(origin.prefix(100)).debugDescription) are not allowed here")
            }
            context.record.update { $0.corsOrigin = origin }
            if request.method == .options, let method = request.headers[.accessControlRequestMethod] {
                return preflight(origin: origin, method: method, headers: request.headers[.accessControlRequestHeaders])
            }
        }
        if request.method == .post, !Self.isJSON(request.headers[.contentType]) {
            throw ClientError(status: 415, code: "unsupported_media_type", message: "the request body must be JSON: send Content-Type: application/json")
        }
        return try await next(request, context)
    }

    /// The browser's question before a cross-origin request, answered for a listed origin.
    private func preflight(origin: String, method: String, headers: String?) -> Response {
        var fields = HTTPFields()
        fields[.accessControlAllowOrigin] = origin
        fields[.accessControlAllowMethods] = "GET, POST, OPTIONS"
        // The origin is one the operator trusts: whatever headers its page sends may come.
        fields[.accessControlAllowHeaders] = headers ?? "authorization, content-type"
        fields[.accessControlMaxAge] = "600"
        fields[.vary] = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        return Response(status: .noContent, headers: fields)
    }

    /// A Host header left among the fields: the first became the request's authority.
    static let host = HTTPField.Name("Host")!

    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return media == "application/json"
    }

    /// The headers a listed origin's page needs to read a reply.
    static func allowOrigin(_ origin: String, on response: inout Response) {
        guard response.headers[.accessControlAllowOrigin] == nil else { return }
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.vary] = "Origin"
    }
}

/// Which names the server answers to and which web pages may call it.
struct BrowserPolicy: Sendable {
    /// `--host` and `--allow-host`, lowercased; `*` allows every name.
    let hosts: Set<String>
    /// `--cors-origin`, exactly as a browser writes them (scheme, host and port).
    let origins: Set<String>

    init(host: String, allowedHosts: [String], corsOrigins: [String]) {
        hosts = Set(([host] + allowedHosts).map { Self.name(of: $0) })
        origins = Set(corsOrigins.map { $0.lowercased() })
    }

    /// Loopback names, any address written as an address (a rebinding page's `Host` is its
    /// own domain name, never an address), and the names the operator gave.
    func allows(host authority: String) -> Bool {
        let name = Self.name(of: authority)
        if hosts.contains("*") || hosts.contains(name) { return true }
        if name == "localhost" || name.hasSuffix(".localhost") { return true }
        return ServeSettings.isIPAddress(name)
    }

    func allows(origin: String) -> Bool { origins.contains(origin.lowercased()) }

    /// The host of `host[:port]` or `[v6]:port`, lowercased, without a trailing dot.
    static func name(of authority: String) -> String {
        var name = Substring(authority.lowercased())
        if name.hasPrefix("["), let end = name.firstIndex(of: "]") {
            name = name[name.index(after: name.startIndex)..<end]
        } else if let colon = name.lastIndex(of: ":"), name.firstIndex(of: ":") == colon {
            name = name[..<colon]
        }
        while name.hasSuffix(".") { name = name.dropLast() }
        return String(name)
    }
}
