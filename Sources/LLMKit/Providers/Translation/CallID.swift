/// Tool call ids carried from one provider to another. Every rewrite is a pure function of
/// the id, so an assistant turn's call and the tool result that answers it still match.
enum CallID {
    /// FNV-1a: stable across runs and machines, unlike `Hasher`.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// `length` letters and digits: the id itself if it already is that, else derived from it.
    static func alphanumeric(_ id: String, length: Int) -> String {
        if id.count == length, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return id }
        var value = hash(id)
        var out = ""
        for i in 0..<length {
            if i == 10 { value = hash(id + "#") }
            out.append(alphabet[Int(value % 62)])
            value /= 62
        }
        return out
    }

    /// Anthropic accepts `[a-zA-Z0-9_-]+`; anything else becomes `_` (plus a hash of the
    /// original, so two ids that differ only there stay apart).
    static func wordCharacters(_ id: String) -> String {
        guard !id.isEmpty else { return "call_" + alphanumeric(id, length: 8) }
        let ok = id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        if ok { return id }
        let cleaned = String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
        return cleaned + "_" + alphanumeric(id, length: 6)
    }

    /// An id for a call whose provider gave none (Gemini, older Ollama): the same reply
    /// always gets the same ids.
    static func synthesized(turn: Int, index: Int, name: String, arguments: String) -> String {
        "call_" + alphanumeric("\(turn)/\(index)/\(name)/\(arguments)", length: 12)
    }
}
