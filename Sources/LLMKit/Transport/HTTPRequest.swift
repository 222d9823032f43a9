/// One HTTP exchange to perform.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    /// Seconds to establish the connection (TCP and TLS).
    public var connectTimeout: Double = 10
    /// Seconds for the whole exchange; `nil` waits as long as the server works.
    public var timeout: Double?
    /// Seconds without a received byte before giving up. Only for streamed bodies: a
    /// non-streamed completion is silent until it is done.
    public var idleTimeout: Double?
    /// The most bytes of a successful reply kept when it is not streamed; past it the
    /// transfer ends with `.replyTooLarge`. (An error reply keeps its first `errorBodyLimit`.)
    public var maxBodyBytes = HTTPRequest.defaultMaxBodyBytes

    public static let defaultMaxBodyBytes = 32 << 20
    /// A streamed request answered with one of these is collected whole, not streamed: a
    /// server that ignored `stream`, or an HTML page from a proxy. The caller reads `body`.
    public static let wholeBodyTypes = ["application/json", "text/html"]
    public static let errorBodyLimit = 64 << 10

    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The URL to show a person: without user or password. One that cannot be read is
    /// not shown: its password could not be found to leave out.
    public var shownURL: String {
        (try? ParsedURL(url))?.shown ?? Self.unreadable
    }

    /// `host:port` that libcurl connects to, for messages.
    public var host: String {
        (try? ParsedURL(url))?.authority ?? Self.unreadable
    }

    private static let unreadable = "(a URL that cannot be read)"
}

/// What came back: status, headers and body, plus how long it took.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Seconds from the start until the first response byte.
    public var timeToFirstByte: Double
    public var totalTime: Double

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeToFirstByte: Double = 0, totalTime: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timeToFirstByte = timeToFirstByte
        self.totalTime = totalTime
    }

    /// The media type, lower-case, without parameters (`text/event-stream`).
    public var mediaType: String? {
        header("content-type").map { ($0.split(separator: ";").first ?? "").trimmingWhitespace().lowercased() }
    }

    /// The last value of a header, matched case-insensitively.
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.last { $0.name.lowercased() == lower }?.value
    }
}

/// A transfer that produced no HTTP response: the connection or the wait failed.
public struct TransportError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case connectionRefused, hostNotFound, timedOut, stalled, tls, connectionLost, replyTooLarge, cancelled, other
    }
    public var kind: Kind
    public var host: String
    public var detail: String
    /// Whether any response byte arrived before the failure.
    public var receivedData: Bool
}
