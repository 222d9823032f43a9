#if canImport(Glibc)
import Glibc
#endif
import LLMKit

/// Everything `llm-serve` is told on its command line.
public struct ServeSettings: Sendable {
    public enum LogFormat: String, Sendable, CaseIterable {
        case text, json
    }

    public var agentsPath: String
    public var host = "127.0.0.1"
    /// 0: any free port (the one chosen is said on stderr).
    public var port = 8000
    /// `--api-key-env`'s key; the `--keys` file's are read by the server, and again on SIGHUP.
    public var keys = AccessKeys()
    public var keysFile: String?
    /// Serve a non-loopback address with no key, knowingly.
    public var noAuth = false
    public var maxConcurrent = 16
    /// Open connections; more are answered 503 and closed.
    public var maxConnections = 1024
    /// Seconds for a request's whole head, between two reads of its body, and for a
    /// kept-alive connection with nothing under way.
    public var headerTimeout = 10.0
    public var bodyTimeout = 10.0
    public var idleTimeout = 30.0
    /// Names besides loopback's and `host` that clients may call the server by (`*`: any).
    public var allowedHosts: [String] = []
    /// Web pages (`scheme://host[:port]`) that may call the server from a browser.
    public var corsOrigins: [String] = []
    public var maxBodyBytes = 4 << 20
    /// Seconds one request may take, unless its agent says otherwise.
    public var timeout = 600.0
    /// Seconds in-flight requests get to finish after SIGTERM.
    public var grace = 30.0
    public var logFormat = LogFormat.text
    /// Message text in the access log: off, since it is the users' own.
    public var logContent = false
    /// Headers that name the user and the chat (Open WebUI's, unless renamed there).
    public var userHeader = "X-OpenWebUI-User-Id"
    public var chatHeader = "X-OpenWebUI-Chat-Id"
    public var verbose = false
    /// The environment commands start from; the server's own key variable is taken out.
    public var environment: [String: String] = [:]

    public init(agentsPath: String) {
        self.agentsPath = agentsPath
    }

    /// Loopback addresses: reachable only from this machine.
    public var bindsLoopbackOnly: Bool {
        host == "localhost" || Self.isLoopback(host)
    }

    /// An address in 127.0.0.0/8 or ::1 (also as an IPv4-mapped IPv6 address).
    static func isLoopback(_ address: String?) -> Bool {
        guard let address else { return false }
        if address == "::1" { return true }
        let v4 = address.hasPrefix("::ffff:") ? String(address.dropFirst(7)) : address
        return v4.hasPrefix("127.") && isIPAddress(v4)
    }

    /// Written as an IPv4 or IPv6 address, not a name.
    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

extension ServeSettings {
    /// An HTTP header name (RFC 9110's token).
    public static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0)) }
    }
}
