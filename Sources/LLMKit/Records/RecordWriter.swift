/// Writes records to stdout, one line each, flushed as soon as it is complete.
public final class RecordWriter: @unchecked Sendable {
    public static let standardOutput = RecordWriter(fd: 1)

    private let fd: Int32
    /// Set once the reader has gone away; further writes are dropped.
    public private(set) var closed = false

    public init(fd: Int32) { self.fd = fd }

    public func write(_ object: JSONObject) throws(LLMError) {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        object.write(to: &out)
        out.append(0x0A)
        try writeBytes(out)
    }

    /// Copies an input line through unchanged.
    public func writeLine(_ bytes: [UInt8]) throws(LLMError) {
        var out = bytes
        out.append(0x0A)
        try writeBytes(out)
    }

    public func writeText(_ text: String) throws(LLMError) {
        try writeBytes(Array(text.utf8))
    }

    private func writeBytes(_ bytes: [UInt8]) throws(LLMError) {
        guard !closed else { return }
        let result = bytes.withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
        switch result {
        case .ok: return
        case .brokenPipe: closed = true
        case .failed(let code):
            throw LLMError(.ioError, "cannot write output: \(FileDescriptorIO.errorDescription(code))")
        }
    }
}
