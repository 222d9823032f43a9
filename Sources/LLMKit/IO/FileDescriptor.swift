#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few raw POSIX calls the record streams need, in one place.
///
/// Records are written with `write(2)` directly rather than through stdio buffers so that
/// each record reaches the next pipeline stage the moment it is complete.
public enum FileDescriptorIO {
    public enum WriteResult: Sendable { case ok, brokenPipe, failed(Int32) }

    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> WriteResult {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EPIPE ? .brokenPipe : .failed(errno)
            }
            offset += n
        }
        return .ok
    }

    /// Reads up to `count` bytes; 0 means end of input.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            return n
        }
    }

    public static var lastError: Int32 { errno }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    public static func errorDescription(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A closed reader is reported by EPIPE on write; the default SIGPIPE would kill the
    /// process before it could leave quietly.
    public static func ignoreSigpipe() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Raises the soft limit on open descriptors toward `wanted` (never past the hard
    /// limit), as a server that holds a connection per client must; the limit then in force.
    public static func raiseDescriptorLimit(toward wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        let target = min(rlim_t(wanted), limit.rlim_max)
        if target > limit.rlim_cur {
            var raised = limit
            raised.rlim_cur = target
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, rlim_t(Int.max)))
    }
}
