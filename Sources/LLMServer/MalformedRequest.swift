import HTTPTypes
import LLMKit
import NIOCore
import NIOHTTPTypes

/// The answer to bytes that were meant as a request head and are not HTTP: an OpenAI error
/// (through `ClientError`, as every error a client sees), a log line, and the connection
/// closed, since nothing after them can be read.
struct MalformedRequest {
    let context: ChannelHandlerContext
    let error: any Error
    let log: AccessLog

    func respond() {
        let failure = ClientError(status: 400, code: "invalid_request", message: "the request is not valid HTTP",
                                  detail: "the request is not valid HTTP: \(error)")
        var entry = AccessLog.Entry(method: "-", path: "-")
        entry.status = failure.status
        entry.error = failure.detail
        log.write(entry)
        let body = failure.bodyBytes
        var head = failure.head(length: body.count)
        head.headerFields[.connection] = "close"
        context.write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(ByteBuffer(bytes: body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
