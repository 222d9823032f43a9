/// The hosts an `http_get` tool may fetch from: `api.example.com`, `*.wikipedia.org` (any
/// subdomain, not the domain itself), `127.0.0.1:8080` (that port only), `::1` or `[::1]`.
///
/// Compared with the host libcurl will connect to (`ParsedURL`), never with the URL's text.
/// An empty list permits nothing.
public struct HostAllowList: Sendable {
    private struct Pattern: Sendable {
        var host: String
        var wildcard: Bool
        var port: Int?
    }

    private let patterns: [Pattern]

    public init(_ entries: [String]) {
        patterns = entries.compactMap(Self.pattern)
    }

    public func permits(_ url: ParsedURL) -> Bool {
        patterns.contains { pattern in
            if let port = pattern.port, port != url.port { return false }
            return pattern.wildcard ? url.host.hasSuffix("." + pattern.host) : url.host == pattern.host
        }
    }

    private static func pattern(_ entry: String) -> Pattern? {
        var text = Substring(entry.lowercased())
        var port: Int?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { port = Int(rest.dropFirst()) }
            text = text[text.index(after: text.startIndex)..<close]
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            port = Int(text[text.index(after: colon)...])
            text = text[..<colon]
        }
        while text.hasSuffix(".") { text = text.dropLast() }
        let wildcard = text.hasPrefix("*.")
        if wildcard { text = text.dropFirst(2) }
        guard !text.isEmpty, !text.contains("*") else { return nil }
        return Pattern(host: String(text), wildcard: wildcard, port: port)
    }
}
