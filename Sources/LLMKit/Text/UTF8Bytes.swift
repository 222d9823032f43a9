extension [UInt8] {
    /// Appends a string's UTF-8 straight from its storage, in one copy: a stream appends
    /// every piece of a reply twice (to the kept reply and to the output).
    mutating func appendUTF8(of text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
