import LLMKit
import NIOCore

/// Splits a command's stdout into lines, none longer than `limit`: a command that never
/// ends a line cannot make the server hold its output without bound.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer
    let limit: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let end = buffer.readableBytesView.firstIndex(of: 0x0A) {
            let length = end - buffer.readerIndex
            guard length <= limit else { throw tooLong }
            let line = buffer.readSlice(length: length)!
            buffer.moveReaderIndex(forwardBy: 1)
            context.fireChannelRead(wrapInboundOut(line))
            return .continue
        }
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
        LLMError(.lineTooLong, "wrote a line longer than \(limit >> 20) MiB")
    }
}
