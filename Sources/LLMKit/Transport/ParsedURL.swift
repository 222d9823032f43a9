/// A URL as libcurl will use it: parsed once, by libcurl's own parser, so that what llmkit
/// checks (scheme, host) is exactly what the transfer connects to. A hand-written parser
/// disagrees with curl on fragments, userinfo and percent-encoding, and each disagreement
/// is a way past a check.
public struct ParsedURL: Sendable, Equatable, CustomStringConvertible {
    /// `http` or `https`: the only schemes llmkit speaks.
    public let scheme: String
    /// Lower-case, without a trailing dot, an IPv6 literal without brackets.
    public let host: String
    /// The port connected to, the scheme's default when none is written.
    public let port: Int
    /// The whole URL, normalized by libcurl (fragment kept: curl never sends it).
    public let url: String
    /// The URL without its user and password, to show: a short password is no key the
    /// redactor would recognise.
    public let shown: String

    public init(_ text: String) throws(URLProblem) {
        guard text.utf8.firstRange(of: "://".utf8) != nil else {
            throw URLProblem(url: text, reason: "it has no scheme; write http://\(text) or https://\(text)")
        }
        let parts = try Curl.parseURL(text)
        guard parts.scheme == "http" || parts.scheme == "https" else {
            throw URLProblem(url: text, reason: "only http and https URLs are spoken, not \(parts.scheme)")
        }
        var host = parts.host.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        while host.hasSuffix(".") { host.removeLast() }
        guard !host.isEmpty else { throw URLProblem(url: text, reason: "it has no host") }
        // A user or password in a URL is a credential like any key: never printed.
        for credential in parts.credentials { Redactor.register(credential) }
        shown = parts.withoutCredentials ?? parts.url
        scheme = parts.scheme
        self.host = host
        port = parts.port
        url = parts.url
    }

    /// `host:port` for messages, with brackets around an IPv6 literal.
    public var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    public var description: String { shown }
}

/// A URL that cannot be used, and why, in words for the person who wrote it.
public struct URLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var url: String
    public var reason: String
    public var description: String { "\(url.isEmpty ? "an empty URL" : url) cannot be used: \(reason)" }
}
