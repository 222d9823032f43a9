import CCurl

/// Every libcurl call in llmkit is in this file, behind typed Swift methods, so the C
/// surface (variadic options, raw pointers, result codes) has one owner.
enum Curl {
    /// Why libcurl cannot be used, or nil when it can. The first call opens libcurl (a few
    /// milliseconds: see ccurl.h); every later call is a flag check.
    static var unavailable: String? {
        llmkit_curl_load() == 0 ? nil : String(cString: llmkit_curl_load_problem())
    }

    /// The parts of a URL as libcurl's URL API reads it (the same parser a transfer uses).
    /// Without a scheme a string is refused, never guessed as http.
    static func parseURL(_ text: String) throws(URLProblem)
        -> (scheme: String, host: String, port: Int, url: String, credentials: [String], withoutCredentials: String?) {
        // Unread, the URL's password cannot be registered as a secret: it is not quoted.
        if let problem = unavailable { throw URLProblem(url: "the URL", reason: problem) }
        guard let handle = llmkit_url() else { throw URLProblem(url: text, reason: "out of memory") }
        defer { llmkit_url_cleanup(handle) }
        let set = llmkit_url_set(handle, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME))
        guard set == CURLUE_OK else {
            throw URLProblem(url: text, reason: String(cString: llmkit_url_strerror(set)).lowercased())
        }
        func part(_ which: CURLUPart, _ flags: Int32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard llmkit_url_get(handle, which, &value, UInt32(flags)) == CURLUE_OK, let value else { return nil }
            defer { llmkit_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased() else { throw URLProblem(url: text, reason: "it has no scheme") }
        // URLDECODE: `%65vil.example` is the host evil.example to the resolver.
        guard let host = part(CURLUPART_HOST, CURLU_URLDECODE) else { throw URLProblem(url: text, reason: "it has no host") }
        let port = part(CURLUPART_PORT, CURLU_DEFAULT_PORT).flatMap { Int($0) } ?? 0
        // Credentials in the URL, in every spelling: as written and decoded.
        let secrets = [part(CURLUPART_USER), part(CURLUPART_USER, CURLU_URLDECODE),
                       part(CURLUPART_PASSWORD), part(CURLUPART_PASSWORD, CURLU_URLDECODE)].compactMap { $0 }
        let url = part(CURLUPART_URL) ?? text
        var shown: String?
        if !secrets.isEmpty {
            _ = llmkit_url_set(handle, CURLUPART_USER, nil, 0)
            _ = llmkit_url_set(handle, CURLUPART_PASSWORD, nil, 0)
            shown = part(CURLUPART_URL)
        }
        return (scheme, host, port, url, secrets, shown)
    }
}

/// One libcurl easy handle: a single transfer's settings and results.
final class CurlEasy {
    typealias Callback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    /// What one read from the connection may return. A read returns what has arrived, so a
    /// larger buffer adds no wait before the first byte; it costs this much memory a transfer.
    static let receiveBufferBytes = 256 << 10

    init() {
        precondition(Curl.unavailable == nil, "libcurl used before Curl.unavailable was checked")
        handle = llmkit_easy_init()
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = llmkit_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
    }

    deinit {
        llmkit_easy_cleanup(handle)
        if let headerList { llmkit_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }

    /// Applies everything a request needs. TLS verification is libcurl's default and is
    /// never turned off; proxies come from the usual environment variables, also by default.
    func configure(_ request: HTTPRequest, userData: UnsafeMutableRawPointer, onBody: Callback, onHeader: Callback) {
        _ = llmkit_easy_setopt_string(handle, CURLOPT_URL, request.url)
        // Whatever a URL, a config or a server says, only http and https are spoken, and
        // redirects are not followed (a redirect could carry the key to another host).
        _ = llmkit_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = llmkit_easy_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = llmkit_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        _ = llmkit_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = llmkit_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        _ = llmkit_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        // A stream of 100,000 events is 20 MB: libcurl's default 16 KiB buffer reads it in
        // 1,200 receives, each with its own ACK and callback (make bench: stream).
        _ = llmkit_easy_setopt_long(handle, CURLOPT_BUFFERSIZE, Self.receiveBufferBytes)
        _ = llmkit_easy_setopt_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        _ = llmkit_easy_setopt_string(handle, CURLOPT_USERAGENT, "llmkit/\(LLMKitVersion.current)")
        _ = llmkit_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(request.connectTimeout, RequestOptions.maxSeconds) * 1000))
        if let timeout = request.timeout, timeout > 0 {
            _ = llmkit_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(min(timeout, RequestOptions.maxSeconds) * 1000))
        }
        switch request.method {
        case "GET": _ = llmkit_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "POST": _ = llmkit_easy_setopt_long(handle, CURLOPT_POST, 1)
        default: _ = llmkit_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            _ = llmkit_easy_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBufferPointer { buffer in
                // COPYPOSTFIELDS copies, so the body need not outlive this call.
                _ = llmkit_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!))
            }
        }
        // An empty `Expect:` stops libcurl waiting a second for `100 Continue` on large bodies.
        var list: UnsafeMutablePointer<curl_slist>? = llmkit_slist_append(nil, "Expect:")
        for header in request.headers {
            list = llmkit_slist_append(list, "\(header.name): \(header.value)")
        }
        headerList = list
        _ = llmkit_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        _ = llmkit_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION, onBody)
        _ = llmkit_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userData)
        _ = llmkit_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION, onHeader)
        _ = llmkit_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userData)
    }

    var responseCode: Int {
        var code = 0
        _ = llmkit_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        return code
    }

    var timeToFirstByte: Double {
        var value = 0.0
        _ = llmkit_easy_getinfo_double(handle, CURLINFO_STARTTRANSFER_TIME, &value)
        return value
    }

    var totalTime: Double {
        var value = 0.0
        _ = llmkit_easy_getinfo_double(handle, CURLINFO_TOTAL_TIME, &value)
        return value
    }

    /// Classifies a failed transfer, in words a person can act on.
    func failure(_ code: CURLcode, host: String, receivedData: Bool) -> TransportError {
        let detail = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: llmkit_easy_strerror(code))
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .hostNotFound
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            kind = .tls
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        default: kind = .other
        }
        return TransportError(kind: kind, host: host, detail: detail, receivedData: receivedData)
    }
}

/// One libcurl multi handle: many transfers on one thread, sharing a connection cache.
/// Sendable because other threads call only `wakeUp()`, which libcurl makes thread-safe.
final class CurlMulti: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init() {
        handle = llmkit_multi_init()
        _ = llmkit_multi_setopt_long(handle, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
    }

    deinit { llmkit_multi_cleanup(handle) }

    func add(_ easy: CurlEasy) { _ = llmkit_multi_add_handle(handle, easy.handle) }
    func remove(_ easy: CurlEasy) { _ = llmkit_multi_remove_handle(handle, easy.handle) }

    /// Moves every transfer forward as far as it can go without blocking.
    func perform() {
        var running: Int32 = 0
        _ = llmkit_multi_perform(handle, &running)
    }

    /// Finished transfers since the last call: the easy handle and its result.
    func completed() -> [(easy: UnsafeMutableRawPointer, result: CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var remaining: Int32 = 0
        while let message = llmkit_multi_info_read(handle, &remaining) {
            if message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle {
                done.append((easy, llmkit_msg_result(message)))
            }
        }
        return done
    }

    /// Sleeps until a socket is ready, `wakeUp()` is called, or the timeout passes.
    func poll(timeoutMs: Int32) {
        var ready: Int32 = 0
        _ = llmkit_multi_poll(handle, nil, 0, timeoutMs, &ready)
    }

    /// Safe from any thread: interrupts `poll`.
    func wakeUp() { _ = llmkit_multi_wakeup(handle) }
}

extension CURLcode {
    static let ok = CURLE_OK
}
