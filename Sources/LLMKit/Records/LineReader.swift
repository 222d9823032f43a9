/// Reads `\n`-terminated lines from a file descriptor with a fixed-size buffer, so memory
/// stays flat however long the input is; only one line is held at a time.
public struct LineReader {
    /// Long enough for a conversation line carrying a base64 image; short enough that a
    /// binary file piped in by mistake fails fast instead of filling memory.
    public static let defaultMaxLineBytes = 32 << 20

    public let fd: Int32
    public let maxLineBytes: Int
    public private(set) var lineNumber = 0
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var eof = false

    public init(fd: Int32 = 0, maxLineBytes: Int = LineReader.defaultMaxLineBytes, chunkSize: Int = 64 << 10) {
        self.fd = fd
        self.maxLineBytes = maxLineBytes
        buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    /// The next line without its terminator (`\n` or `\r\n`), or `nil` at end of input.
    public mutating func next() throws(LLMError) -> [UInt8]? {
        var scanFrom = start
        while true {
            if let nl = buffer[scanFrom..<end].firstIndex(of: 0x0A) {
                // One read from a file can bring a whole over-long line at once.
                guard nl - start <= maxLineBytes else { throw tooLong() }
                var lineEnd = nl
                if lineEnd > start, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                let line = Array(buffer[start..<lineEnd])
                start = nl + 1
                lineNumber += 1
                return line
            }
            if end - start > maxLineBytes { throw tooLong() }
            if eof {
                guard start < end else { return nil }
                let line = Array(buffer[start..<end])
                start = end
                lineNumber += 1
                return line
            }
            // Bytes already scanned hold no newline; fill() may move them, so keep a length.
            let scanned = end - start
            try fill()
            scanFrom = start + scanned
        }
    }

    private func tooLong() -> LLMError {
        LLMError(.lineTooLong, "line \(lineNumber + 1) is longer than \(maxLineBytes >> 20) MiB; is the input JSON Lines?")
    }

    /// Everything left, as one string (plain-text input).
    public mutating func readRest() throws(LLMError) -> [UInt8] {
        while !eof { try fill() }
        let rest = Array(buffer[start..<end])
        start = end
        return rest
    }

    private mutating func fill() throws(LLMError) {
        if start > 0 {
            let pending = end - start
            if pending > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress!.copyMemory(from: raw.baseAddress! + start, byteCount: pending)
                }
            }
            end = pending
            start = 0
        }
        if end == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
        let n = buffer.withUnsafeMutableBytes { raw in
            FileDescriptorIO.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[end...]))
        }
        if n < 0 {
            throw LLMError(.ioError, "cannot read input: \(FileDescriptorIO.errorDescription(FileDescriptorIO.lastError))")
        }
        if n == 0 { eof = true } else { end += n }
    }
}
