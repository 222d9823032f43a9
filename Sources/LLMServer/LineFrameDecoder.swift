import LLMKit
import NIOCore

/// Splits a command's stdout into lines, none longer than `limit`: a command that never
/// ends a line cannot make the server hold its output without bound.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let limit: Int
    /// Bytes of the current line already searched: each byte is looked at once, however
    /// the line arrives.
    private var scanned = 0

    init(limit: Int) { self.limit = limit }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        if let end = view[(view.startIndex + scanned)...].firstIndex(of: 0x0A) {
            let length = end - buffer.readerIndex
            scanned = 0
            guard length <= limit else { throw tooLong }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(wrapInboundOut(line))
            return .continue
        }
        scanned = view.count
        guard buffer.readableBytes <= limit else { throw tooLong }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes) {
            context.fireChannelRead(wrapInboundOut(rest))
        }
        return .needMoreData
    }

    private var tooLong: LLMError {
        LLMError(.invalidReply, "wrote a line longer than \(limit >> 20) MiB")
    }
}
