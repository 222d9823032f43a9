#if canImport(Glibc)
import Glibc
#endif

/// The fields of an ordinary `chat.completion.chunk` (text, reasoning, finish reason),
/// read without building a JSON tree.
///
/// A long reply is tens of thousands of these; reading them this way keeps a stream close
/// to the speed of the bytes. Anything out of the ordinary — tool calls, usage, timings,
/// an error, a second choice — makes `scan` return `nil`, and the assembler parses the
/// chunk in full instead.
struct OpenAIChunkScan {
    var id: String?
    var content: String?
    /// Where the content string literal (quotes included) lies in the chunk.
    var contentLiteral: Range<Int>?
    var reasoning: String?
    var finishReason: String?
    private var sawReasoning = false

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> OpenAIChunkScan? {
        var result = OpenAIChunkScan()
        var scanner = JSONScanner(bytes)
        let ok = scanner.members { s, key in
            if key.equals("choices") { return result.choices(&s) }
            if key.equals("id") {
                result.id = s.string()
                return result.id != nil
            }
            if key.equals("usage") { return s.null() }
            if key.equals("error") || key.equals("timings") || key.equals("x_groq") { return false }
            return s.skipValue()
        }
        scanner.skipWhitespace()
        return ok && scanner.current == nil ? result : nil
    }

    private mutating func choices(_ s: inout JSONScanner) -> Bool {
        guard s.take(UInt8(ascii: "[")) else { return false }
        if s.take(UInt8(ascii: "]")) { return true }
        let ok = s.members { s, key in
            if key.equals("index") {
                s.skipWhitespace()
                guard s.current == UInt8(ascii: "0") else { return false }
                return s.skipValue()
            }
            if key.equals("delta") { return delta(&s) }
            if key.equals("finish_reason") {
                if s.null() { return true }
                finishReason = s.string()
                return finishReason != nil
            }
            return s.skipValue()
        }
        return ok && s.take(UInt8(ascii: "]"))
    }

    private mutating func delta(_ s: inout JSONScanner) -> Bool {
        s.members { s, key in
            if key.equals("content") {
                if s.null() { return true }
                s.skipWhitespace()
                let start = s.index
                content = s.string()
                contentLiteral = start..<s.index
                return content != nil
            }
            if key.equals("reasoning_content") || key.equals("reasoning") {
                // Both names at once: which one wins is the full parser's call.
                guard !sawReasoning else { return false }
                sawReasoning = true
                if s.null() { return true }
                reasoning = s.string()
                return reasoning != nil
            }
            if key.equals("tool_calls") || key.equals("function_call") { return false }
            return s.skipValue()
        }
    }
}

/// The bytes around the text of an ordinary chunk, learned from one that was scanned.
///
/// Chunks of one stream differ only in their text: same id, model, timestamps, shape. An
/// event whose bytes before and after its content string equal the template's is, byte
/// for byte, the same JSON with another string in it — so only the string needs reading.
/// Anything else (a finish reason, usage, another field) does not match, and is scanned.
struct OpenAIChunkTemplate: Sendable {
    let prefix: [UInt8]
    let suffix: [UInt8]

    init?(_ bytes: UnsafeBufferPointer<UInt8>, scan: OpenAIChunkScan) {
        guard let literal = scan.contentLiteral, scan.reasoning == nil, scan.finishReason == nil else { return nil }
        prefix = Array(bytes[..<literal.lowerBound])
        suffix = Array(bytes[literal.upperBound...])
    }

    /// If `bytes` starts with an event that fits the template, and its text is ASCII with
    /// nothing escaped: where that text lies (it is those very bytes, with no decoding to
    /// do) and where the event ends. The bytes may go on past the event; a caller that
    /// holds one whole event checks that it ends there. Anything else is `nil`, to be read
    /// by `content(of:)`.
    func verbatimText(at bytes: UnsafeBufferPointer<UInt8>) -> (text: Range<Int>, end: Int)? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        guard bytes.count > prefix.count, bytes[prefix.count] == quote, Self.bytes(prefix, lieAt: 0, in: bytes) else { return nil }
        let start = prefix.count + 1
        var index = start
        while index < bytes.count, bytes[index] >= 0x20, bytes[index] < 0x7F, bytes[index] != quote, bytes[index] != backslash {
            index += 1
        }
        guard index < bytes.count, bytes[index] == quote, Self.bytes(suffix, lieAt: index + 1, in: bytes) else { return nil }
        return (start..<index, index + 1 + suffix.count)
    }

    /// The content of `bytes` if it fits the template.
    func content(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count >= prefix.count + suffix.count + 2, Self.bytes(prefix, lieAt: 0, in: bytes) else { return nil }
        var scanner = JSONScanner(bytes)
        scanner.index = prefix.count
        guard let text = scanner.string(), bytes.count - scanner.index == suffix.count,
              Self.bytes(suffix, lieAt: scanner.index, in: bytes)
        else { return nil }
        return text
    }

    /// Whether `expected` is what `bytes` hold from `offset` on (an empty one always is).
    private static func bytes(_ expected: [UInt8], lieAt offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard offset + expected.count <= bytes.count else { return false }
        return expected.isEmpty || expected.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes.baseAddress! + offset, expected.count) == 0 }
    }
}
