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
    var reasoning: String?
    var finishReason: String?

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
                content = s.string()
                return content != nil
            }
            if key.equals("reasoning_content") || key.equals("reasoning") {
                if s.null() { return true }
                reasoning = s.string()
                return reasoning != nil
            }
            if key.equals("tool_calls") || key.equals("function_call") { return false }
            return s.skipValue()
        }
    }
}
