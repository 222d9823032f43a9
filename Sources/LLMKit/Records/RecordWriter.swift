import Synchronization

/// Writes records to stdout, one line each, flushed as soon as it is complete. Every byte
/// passes the redactor on its way out: this is the one door to stdout.
///
/// Safe from any thread: streamed pieces are written from the transfer thread while the
/// final message, or a signal handler's last words, come from elsewhere; a line is never
/// interleaved with another.
public final class RecordWriter: Sendable {
    public static let standardOutput = RecordWriter(fd: 1)

    private struct State {
        var closed = false
        var sealed = false
    }

    private let fd: Int32
    private let state = Mutex(State())

    public init(fd: Int32) { self.fd = fd }

    /// Set once the reader has gone away (EPIPE); further writes are dropped.
    public var closed: Bool { state.withLock { $0.closed } }

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

    /// Writes `last` (if any) and then nothing more, ever: for a process about to exit on a
    /// signal while another thread may still be writing. If that thread is stuck writing
    /// (nobody reads), `last` is dropped rather than waited for: it could not be read either.
    public func seal(with last: [JSONObject] = []) {
        _ = state.withLockIfAvailable { s in
            guard !s.sealed else { return }
            s.sealed = true
            guard !s.closed else { return }
            for object in last {
                var out: [UInt8] = []
                object.write(to: &out)
                out.append(0x0A)
                _ = Redactor.redact(bytes: out).withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
            }
        }
    }

    /// Bytes that are already whole records (or text), written in one system call.
    public func writeBytes(_ bytes: [UInt8]) throws(LLMError) {
        guard !bytes.isEmpty else { return }
        let bytes = Redactor.redact(bytes: bytes)
        let failure: Int32? = state.withLock { s in
            guard !s.closed, !s.sealed else { return nil }
            switch bytes.withUnsafeBytes({ FileDescriptorIO.writeAll(fd, $0) }) {
            case .ok: return nil
            case .brokenPipe:
                s.closed = true
                return nil
            case .failed(let code): return code
            }
        }
        if let failure {
            throw LLMError(.ioError, "cannot write output: \(FileDescriptorIO.errorDescription(failure))")
        }
    }
}
