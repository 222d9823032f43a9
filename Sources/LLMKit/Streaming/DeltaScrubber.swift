/// Keeps keys out of streamed pieces: each channel (content, reasoning, each tool call's
/// arguments) is one text cut into deltas, so each gets its own `SecretScrubber`. A piece
/// that could end in the start of a key waits for the next; `drain` releases what is left.
struct DeltaScrubber: Sendable {
    private var content = SecretScrubber()
    private var reasoning = SecretScrubber()
    private var calls: [Int: SecretScrubber] = [:]

    /// `nil` when no key is known: then pieces pass untouched, at no cost.
    static func forRegisteredKeys() -> DeltaScrubber? {
        let scrubber = DeltaScrubber()
        return scrubber.content.isActive ? scrubber : nil
    }

    mutating func scrub(_ deltas: [StreamDelta]) -> [StreamDelta] {
        var out: [StreamDelta] = []
        out.reserveCapacity(deltas.count)
        for delta in deltas {
            switch delta {
            case .content(let text):
                let clean = content.feed(text)
                if !clean.isEmpty { out.append(.content(clean)) }
            case .reasoning(let text):
                let clean = reasoning.feed(text)
                if !clean.isEmpty { out.append(.reasoning(clean)) }
            case .toolCall(let index, let id, let name, let arguments):
                var scrubber = calls[index] ?? SecretScrubber()
                let clean = scrubber.feed(arguments)
                calls[index] = scrubber
                // The first fragment names the call: it goes out even if its text waits.
                if !clean.isEmpty || id != nil || name != nil {
                    out.append(.toolCall(index: index, id: id, name: name, arguments: clean))
                }
            }
        }
        return out
    }

    /// The stream ended: what was held was not a key.
    mutating func drain() -> [StreamDelta] {
        var out: [StreamDelta] = []
        let text = content.finish()
        if !text.isEmpty { out.append(.content(text)) }
        let thought = reasoning.finish()
        if !thought.isEmpty { out.append(.reasoning(thought)) }
        for index in calls.keys.sorted() {
            let rest = calls[index]!.finish()
            if !rest.isEmpty { out.append(.toolCall(index: index, id: nil, name: nil, arguments: rest)) }
        }
        calls.removeAll()
        return out
    }
}
