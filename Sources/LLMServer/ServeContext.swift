import Hummingbird
import NIOCore

/// The request context: Hummingbird's, plus the connection, whose closing ends the work
/// done for it.
struct ServeContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
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
