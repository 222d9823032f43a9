import Hummingbird
import HummingbirdCore
import Logging
import LLMKit
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

/// How long a connection may keep the server waiting, and how many may be open: a client
/// that sends half a request, or nothing, holds its descriptor only so long, and a full
/// server turns new connections away (503) instead of starving the ones it has.
final class ConnectionLimits: Sendable {
    let maxConnections: Int
    /// From the connection's start, or a keep-alive request's first byte, to its whole head.
    let header: TimeAmount
    /// Between two reads of a request's body.
    let body: TimeAmount
    /// A kept-alive connection with no request under way, or a reply waiting on a client
    /// that does not read it.
    let idle: TimeAmount
    private let open = Atomic<Int>(0)

    init(maxConnections: Int, header: Double, body: Double, idle: Double) {
        self.maxConnections = maxConnections
        self.header = .milliseconds(Int64(header * 1000))
        self.body = .milliseconds(Int64(body * 1000))
        self.idle = .milliseconds(Int64(idle * 1000))
    }

    /// Counts a new connection in; false when it is one too many.
    func admit() -> Bool { open.wrappingAdd(1, ordering: .relaxed).newValue <= maxConnections }
    func leave() { open.wrappingSubtract(1, ordering: .relaxed) }
    var count: Int { open.load(ordering: .relaxed) }
}

/// Hummingbird's HTTP/1 channel with the limits' two watchers in its pipeline: one before
/// the HTTP decoder, which sees a request's first byte, and one after it, which sees the
/// head, the body and the end of the reply.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel
    let limits: ConnectionLimits
    let log: AccessLog

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let limits = self.limits, log = self.log
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let clock = ConnectionClock(channel: channel, limits: limits)
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(ConnectionBytesWatcher(clock: clock), position: .first)
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(RequestPartsWatcher(clock: clock, log: log), position: .before(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    static func guardedHTTP1(configuration: HTTP1Channel.Configuration, limits: ConnectionLimits, log: AccessLog) -> HTTPServerBuilder {
        .init { responder in
            GuardedHTTP1Channel(inner: HTTP1Channel(responder: responder, configuration: configuration), limits: limits, log: log)
        }
    }
}

/// Where one connection is, and the deadline that has; on its event loop only. Requests may
/// be pipelined, so it counts them as Hummingbird's own connection state does: requests read
/// but not yet answered, and whether one is being read now.
final class ConnectionClock {
    private let channel: any Channel
    let limits: ConnectionLimits
    /// Heads read whose reply's end has not been written.
    private(set) var unanswered = 0
    /// Between a head and its end.
    private(set) var reading = false
    /// Bytes of a next head have come (or none may come yet on a new connection).
    private var headStarted = false
    private var first = true
    private var deadline: Scheduled<Void>?
    /// A head that did not parse while replies were still owed: answered after the last.
    var malformedPending: (() -> Void)?

    init(channel: any Channel, limits: ConnectionLimits) {
        self.channel = channel
        self.limits = limits
    }

    /// A new connection has the header deadline for its first whole head.
    func opened() { arm(limits.header) }

    var idle: Bool { unanswered == 0 && !reading }

    func bytesArrived() {
        guard idle, !headStarted else { return }
        headStarted = true
        if !first { arm(limits.header) }
    }

    func headRead() {
        first = false
        headStarted = false
        unanswered += 1
        reading = true
        arm(limits.body)
    }

    func bodyRead() {
        if reading { arm(limits.body) }
    }

    func requestRead() {
        reading = false
        if unanswered > 0 { disarm() } else { arm(limits.idle) }
    }

    func replyWritten() {
        unanswered = max(unanswered - 1, 0)
        if reading {
            // Answered before its body was read: the body still has its deadline.
            arm(limits.body)
        } else if unanswered == 0 {
            arm(limits.idle)
            malformedPending?()
            malformedPending = nil
        }
    }

    /// A client that stops reading a reply has the idle deadline to start again: a reply
    /// nobody reads holds its request's slot, and the request's own deadline cannot end a
    /// write that waits on the socket.
    func writability(_ writable: Bool) {
        guard unanswered > 0, !reading else { return }
        if writable { disarm() } else { arm(limits.idle) }
    }

    func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(_ after: TimeAmount) {
        deadline?.cancel()
        let channel = self.channel
        deadline = channel.eventLoop.scheduleTask(in: after) { channel.close(promise: nil) }
    }
}

/// First in the pipeline: counts the connection against the cap, and sees bytes arrive.
final class ConnectionBytesWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let clock: ConnectionClock
    private var counted = false

    init(clock: ConnectionClock) { self.clock = clock }

    /// Written before the HTTP encoder, so as bytes; the body is `ClientError`'s.
    static let refusal: ByteBuffer = {
        let failure = ClientError(status: 503, code: "too_many_connections",
                                  message: "llm-serve has as many connections open as it takes; try again shortly")
        let body = failure.bodyBytes
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            + "Retry-After: 1\r\nConnection: close\r\n\r\n"
        return ByteBuffer(bytes: Array(head.utf8) + body)
    }()

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !counted else { return }
        counted = true
        guard clock.limits.admit() else {
            let channel = context.channel
            context.writeAndFlush(NIOAny(Self.refusal)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        clock.opened()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        clock.disarm()
        // It holds a handler's context: let go of it with the connection.
        clock.malformedPending = nil
        if counted { clock.limits.leave() }
        counted = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock.bytesArrived()
        context.fireChannelRead(data)
    }
}

/// After the HTTP decoder: sees each request's head, body and end, and each reply's end.
final class RequestPartsWatcher: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart
    private let clock: ConnectionClock
    private let log: AccessLog

    init(clock: ConnectionClock, log: AccessLog) {
        self.clock = clock
        self.log = log
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        clock.writability(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    /// Bytes that do not parse as HTTP. Between requests, they were meant as the next head:
    /// it gets an OpenAI error and a log line (after the replies still owed), then the
    /// connection is closed. After a request was answered but before its body ended, the
    /// request is over: the connection is closed. Within a request still being answered, the
    /// error is the request's, for its reader to meet.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else { return context.fireErrorCaught(error) }
        if clock.reading {
            guard clock.unanswered == 0 else { return context.fireErrorCaught(error) }
            clock.disarm()
            context.close(promise: nil)
            return
        }
        let answer = MalformedRequest(context: context, error: error, log: log)
        if clock.idle { answer.respond() } else { clock.malformedPending = answer.respond }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: clock.headRead()
        case .body: clock.bodyRead()
        case .end: clock.requestRead()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { clock.replyWritten() }
        context.write(data, promise: promise)
    }
}
