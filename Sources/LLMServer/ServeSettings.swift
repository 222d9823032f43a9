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
    public var keys = AccessKeys()
    /// Serve a non-loopback address with no key, knowingly.
    public var noAuth = false
    public var maxConcurrent = 16
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
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

extension ServeSettings {
    /// An HTTP header name (RFC 9110's token).
    public static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0)) }
    }
}
