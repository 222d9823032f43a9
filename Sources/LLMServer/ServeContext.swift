import Hummingbird
import NIOCore

/// The request context: Hummingbird's, plus the connection (whose closing ends the work
/// done for it), what the request's access-log line will say, and who the key says it is.
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    let record = RequestRecord()
    /// The key the request presented, once checked.
    var key: AccessKeys.Key?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// A client on this machine: without a key, only such a client names its user.
    var clientIsLoopback: Bool { ServeSettings.isLoopback(channel.remoteAddress?.ipAddress) }
}

/// A client that closes its end mid-request has gone: the connection is closed, so that
/// the command answering it is ended at once rather than at its next write. (The server
/// allows half-closed connections; no HTTP client half-closes and then waits for a reply.)
final class CloseOnInputEnd: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
