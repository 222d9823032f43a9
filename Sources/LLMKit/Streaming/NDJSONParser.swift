/// Newline-delimited JSON framing (Ollama's native streams), fed bytes as they arrive.
///
/// Emits each non-blank line, without its terminator, once the line is complete; a line
/// may span any number of chunks, and a split inside a UTF-8 character is harmless
/// because lines are cut at `\n` bytes only.
public struct NDJSONParser: Sendable {
    private var line: [UInt8] = []
    /// The most bytes a line may hold: a peer cannot make memory grow past it.
    public let limit: Int
    /// A line went over `limit`; nothing more is parsed.
    public private(set) var overflowed = false

    public init(limit: Int = SSEParser.defaultLimit) { self.limit = limit }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8]) -> Void) {
        guard !overflowed else { return }
        for byte in bytes {
            if byte == 0x0A {
                flush(emit: emit)
            } else {
                line.append(byte)
                if line.count > limit {
                    overflowed = true
                    line = []
                    return
                }
            }
        }
    }

    public mutating func feed(_ bytes: [UInt8], emit: ([UInt8]) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit: emit) }
    }

    /// A last line without a newline still counts.
    public mutating func finish(emit: ([UInt8]) -> Void) {
        guard !overflowed else { return }
        flush(emit: emit)
    }

    private mutating func flush(emit: ([UInt8]) -> Void) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == 0x0D { line.removeLast() }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        emit(line)
    }
}
