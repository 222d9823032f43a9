/// The deltas of one network read, held until the read is parsed.
///
/// A fast server puts thousands of one-token events in one read. Where the reader wants
/// only the text (`StreamCollector.joinsPieces`), adjacent pieces of the same kind are
/// joined as they come: each delta passed on costs a record, a copy and a piece of a write
/// (make bench: stream). Nobody waits longer for a byte: nothing is passed on before the
/// read is parsed. Otherwise every piece stays a delta: a piece is a token to whoever
/// counts them (delta records, `llm-probe`'s benchmark, `llm-serve`'s clients).
struct PendingDeltas {
    private(set) var deltas: [StreamDelta] = []
    let joinsPieces: Bool
    /// UTF-8 not yet in `deltas`: the run of text of one kind since the last other delta.
    private var text: [UInt8] = []
    private var textIsReasoning = false

    init(joinsPieces: Bool) { self.joinsPieces = joinsPieces }

    mutating func add(_ delta: StreamDelta) {
        switch delta {
        case .content(var piece) where joinsPieces: piece.withUTF8 { addText($0) }
        case .reasoning(var piece) where joinsPieces: piece.withUTF8 { addText($0, reasoning: true) }
        default:
            closeText()
            deltas.append(delta)
        }
    }

    /// A piece of text as UTF-8, whole characters only: joined pieces are decoded once, as
    /// one string, when the run ends.
    mutating func addText(_ piece: UnsafeBufferPointer<UInt8>, reasoning: Bool = false) {
        guard !piece.isEmpty else { return }
        guard joinsPieces else {
            let whole = String(decoding: piece, as: UTF8.self)
            return deltas.append(reasoning ? .reasoning(whole) : .content(whole))
        }
        if textIsReasoning != reasoning { closeText() }
        textIsReasoning = reasoning
        // A piece is mostly one token, a few bytes: byte by byte is a few instructions each,
        // where `append(contentsOf:)` costs a call and a copy loop set up for every piece.
        if piece.count <= 16 {
            for byte in piece { text.append(byte) }
        } else {
            text.append(contentsOf: piece)
        }
    }

    /// Ends the read: its last run of text becomes a delta.
    mutating func closeText() {
        guard !text.isEmpty else { return }
        let joined = String(decoding: text, as: UTF8.self)
        deltas.append(textIsReasoning ? .reasoning(joined) : .content(joined))
        text.removeAll(keepingCapacity: true)
    }

    /// Forgets the read's deltas, keeping the storage for the next.
    mutating func clear() {
        deltas.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }
}
