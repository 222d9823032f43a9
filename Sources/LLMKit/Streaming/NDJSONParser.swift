/// Newline-delimited JSON framing (Ollama's native streams), fed bytes as they arrive.
///
/// Emits each non-blank line, without its terminator, once the line is complete; a line
/// may span any number of chunks, and a split inside a UTF-8 character is harmless
/// because lines are cut at `\n` bytes only.
public struct NDJSONParser: Sendable {
    private var line: [UInt8] = []

    public init() {}

    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8]) -> Void) {
        for byte in bytes {
            if byte == 0x0A {
                flush(emit: emit)
            } else {
                line.append(byte)
            }
        }
    }

    public mutating func feed(_ bytes: [UInt8], emit: ([UInt8]) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit: emit) }
    }

    /// A last line without a newline still counts.
    public mutating func finish(emit: ([UInt8]) -> Void) {
        flush(emit: emit)
    }

    private mutating func flush(emit: ([UInt8]) -> Void) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.last == 0x0D { line.removeLast() }
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        emit(line)
    }
}
