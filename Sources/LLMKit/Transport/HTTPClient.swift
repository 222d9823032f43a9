import CCurl
import Foundation
import Synchronization

/// Performs HTTP requests through one libcurl multi handle, driven by one thread.
///
/// Many requests in flight cost sockets, not threads, and they share libcurl's connection
/// cache (keep-alive, HTTP/2 multiplexing). Nothing starts until the first request, so a
/// command that never touches the network pays nothing for it.
public final class HTTPClient: Sendable {
    public static let shared = HTTPClient()

    /// Receives the body of a 2xx response as it arrives, on the transfer thread; return
    /// `false` to abort. Other responses' bodies are collected whole, for error messages.
    public typealias BodySink = @Sendable (UnsafeRawBufferPointer) -> Bool

    private struct Queue: ~Copyable {
        var pending: [Transfer] = []
        var multi: CurlMulti?
    }
    private let queue = Mutex(Queue())

    public init() {}

    /// Sends the request and returns the whole response; a streamed body goes to `onBody`
    /// instead of into `HTTPResponse.body`.
    /// Cancelling the calling task ends the transfer at once (`.cancelled`).
    public func send(_ request: HTTPRequest, onBody: BodySink? = nil) async throws(TransportError) -> HTTPResponse {
        if let problem = Curl.unavailable {
            throw TransportError(kind: .other, host: request.host, detail: problem, receivedData: false)
        }
        let cancellation = Cancellation()
        let result: Result<HTTPResponse, TransportError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let transfer = Transfer(request: request, onBody: onBody, continuation: continuation, cancellation: cancellation)
                let multi = queue.withLock { state -> CurlMulti in
                    state.pending.append(transfer)
                    if let multi = state.multi { return multi }
                    let multi = Self.startDriver(self)
                    state.multi = multi
                    return multi
                }
                multi.wakeUp()
            }
        } onCancel: {
            cancellation.cancel()
            queue.withLock { $0.multi }?.wakeUp()
        }
        return try result.get()
    }

    private static func startDriver(_ client: HTTPClient) -> CurlMulti {
        let multi = CurlMulti()
        let thread = Thread { client.drive(multi) }
        thread.name = "llmkit-http"
        thread.start()
        return multi
    }

    /// The transfer loop; the only place the multi handle and transfers are touched.
    private func drive(_ multi: CurlMulti) {
        var active: [UnsafeMutableRawPointer: Transfer] = [:]
        while true {
            let incoming = queue.withLock { state in
                let items = state.pending
                state.pending.removeAll()
                return items
            }
            for transfer in incoming {
                if transfer.cancellation.isCancelled {
                    transfer.finishCancelled()
                    continue
                }
                transfer.start()
                active[transfer.easy.handle] = transfer
                multi.add(transfer.easy)
            }
            multi.perform()
            for (handle, result) in multi.completed() {
                guard let transfer = active.removeValue(forKey: handle) else { continue }
                multi.remove(transfer.easy)
                transfer.finish(result)
            }
            // libcurl's low-speed check averages over a window and fires late; a stall is
            // judged here, from the time of the last byte.
            let now = ContinuousClock.now
            for (handle, transfer) in active where transfer.isStalled(at: now) || transfer.cancellation.isCancelled {
                active.removeValue(forKey: handle)
                multi.remove(transfer.easy)
                if transfer.cancellation.isCancelled { transfer.finishCancelled() } else { transfer.finishStalled() }
            }
            multi.poll(timeoutMs: active.values.contains { $0.request.idleTimeout != nil } ? 100 : 1000)
        }
    }

}

/// Set from any thread when the task that sent a request is cancelled; read by the driver.
final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .releasing) }
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
}

/// The state of one request while libcurl works on it.
private final class Transfer: @unchecked Sendable {
    let request: HTTPRequest
    let easy = CurlEasy()
    private let onBody: HTTPClient.BodySink?
    private let continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>
    let cancellation: Cancellation
    private var headers: [(name: String, value: String)] = []
    private var status = 0
    private var body: [UInt8] = []
    private var receivedData = false
    private var aborted = false
    private var tooLarge = false
    private var lastActivity = ContinuousClock.now

    init(request: HTTPRequest, onBody: HTTPClient.BodySink?, continuation: CheckedContinuation<Result<HTTPResponse, TransportError>, Never>,
         cancellation: Cancellation) {
        self.request = request
        self.onBody = onBody
        self.continuation = continuation
        self.cancellation = cancellation
    }

    func isStalled(at now: ContinuousClock.Instant) -> Bool {
        guard let idle = request.idleTimeout else { return false }
        return now - lastActivity > .seconds(idle)
    }

    func finishCancelled() {
        continuation.resume(returning: .failure(TransportError(kind: .cancelled, host: request.host, detail: "cancelled", receivedData: receivedData)))
    }

    func finishStalled() {
        let seconds = request.idleTimeout.map { $0 == $0.rounded() ? "\(Int($0))" : "\($0)" } ?? "?"
        continuation.resume(returning: .failure(TransportError(
            kind: .stalled, host: request.host, detail: "nothing received for \(seconds) s (--idle-timeout)", receivedData: receivedData)))
    }

    func start() {
        lastActivity = .now
        let me = Unmanaged.passUnretained(self).toOpaque()
        easy.configure(request, userData: me, onBody: { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }, onHeader: { data, size, count, user in
            let transfer = Unmanaged<Transfer>.fromOpaque(user!).takeUnretainedValue()
            transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        })
    }

    /// Memory stays bounded whatever the server sends: an error body keeps its start (enough
    /// for the message), a reply past its limit ends the transfer.
    private func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        receivedData = true
        lastActivity = .now
        let success = (200..<300).contains(status)
        if let onBody, success, !collectsWhole {
            if !onBody(bytes) { aborted = true; return 0 }
            return bytes.count
        }
        let limit = success ? request.maxBodyBytes : HTTPRequest.errorBodyLimit
        let room = max(0, limit - body.count)
        let kept = min(room, bytes.count)
        if body.count + kept > body.capacity {
            // Grow as an array would, but never past the limit, and all at once when the
            // length is announced: a capped body costs its cap, not a copy of it as well.
            let announced = headers.last { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
            body.reserveCapacity(min(limit, max(body.count + kept, body.capacity * 2, announced)))
        }
        body.append(contentsOf: bytes.prefix(kept))
        guard bytes.count <= room else {
            // An error keeps what it has; a reply that does not fit is a failure.
            tooLarge = success
            aborted = true
            return 0
        }
        return bytes.count
    }

    /// The reply is a whole document (JSON, HTML), even if a stream was asked for.
    private var collectsWhole: Bool {
        guard let type = headers.last(where: { $0.name.lowercased() == "content-type" })?.value.lowercased() else { return false }
        return HTTPRequest.wholeBodyTypes.contains { type.hasPrefix($0) }
    }

    private func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        lastActivity = .now
        let line = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        if line.hasPrefix("HTTP/") {
            headers.removeAll()  // a new response (after 100 Continue or a redirect)
            status = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].trimmingWhitespace())
            headers.append((name, value))
        }
    }

    func finish(_ result: CURLcode) {
        if tooLarge {
            continuation.resume(returning: .failure(TransportError(
                kind: .replyTooLarge, host: request.host, detail: "the reply is larger than \(request.maxBodyBytes >> 20) MiB", receivedData: true)))
        } else if result == .ok || (aborted && result == CURLE_WRITE_ERROR) {
            continuation.resume(returning: .success(HTTPResponse(
                status: easy.responseCode, headers: headers, body: body,
                timeToFirstByte: easy.timeToFirstByte, totalTime: easy.totalTime)))
        } else {
            continuation.resume(returning: .failure(easy.failure(result, host: request.host, receivedData: receivedData)))
        }
    }
}
