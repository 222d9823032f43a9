extension [UInt8] {
    /// Appends a string's UTF-8 in one copy. `append(contentsOf: text.utf8)` goes through
    /// the generic sequence path, byte by byte; a stream appends every piece of a reply.
    mutating func appendUTF8(of text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
