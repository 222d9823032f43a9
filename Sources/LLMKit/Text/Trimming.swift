extension StringProtocol {
    /// Without leading and trailing whitespace: Unicode's White_Space, the set Foundation's
    /// `.whitespacesAndNewlines` trims (a key variable ending in a vertical tab or a
    /// no-break space must register the bare key). Foundation's `trimmingCharacters(in:)`
    /// goes through NSString and dynamic casts, which cost more than a short request's
    /// own parsing.
    public func trimmingWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return Substring()
        }
        return Substring(self[first...last])
    }
}
