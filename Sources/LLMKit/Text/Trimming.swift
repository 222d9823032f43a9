extension StringProtocol {
    /// Without leading and trailing spaces, tabs, CRs and LFs: the whitespace of HTTP headers,
    /// key files and environment values. Foundation's `trimmingCharacters(in:)` goes through
    /// NSString and dynamic casts, which cost more than a short request's own parsing.
    public func trimmingSpace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r\n" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }
}
