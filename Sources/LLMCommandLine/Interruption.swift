import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import LLMKit
import Synchronization

/// Runs a handler on SIGINT, SIGTERM, SIGHUP or SIGQUIT (whose default, a crash report,
/// would print memory unredacted) instead of dying mid-write, so a tool can
/// still write what it has received before it exits. Signals and `_exit` are the
/// executables' business: a server embedding LLMKit must not have its process ended for it.
public enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    /// Held by whoever ends the process: a signal handler, or `exitUnlessInterrupted`. The
    /// other waits for the end, so a run that was interrupted never also exits as finished.
    private static let gate = Mutex(())

    /// `handler` runs on a background queue, inside the exit gate, and must end the process.
    public static func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            // A parent may have left these blocked (test runners do); a blocked signal
            // would never arrive.
            sigaddset(&mask, signal)
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { gate.withLock { _ in handler(signal) } }
            source.resume()
            sources.append(source)
        }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    public static func exit(_ status: ExitStatus) -> Never {
        Glibc._exit(status.rawValue)
    }

    /// Ends the process with `status`, unless a signal handler is already ending it (then
    /// this waits for that). Output is written unbuffered, so nothing is lost by `_exit`.
    public static func exitUnlessInterrupted(_ status: ExitStatus) -> Never {
        gate.withLock { _ in Glibc._exit(status.rawValue) }
    }

    /// The same, for a status outside llmkit's set (a Nagios plugin's 2 and 3).
    public static func exitUnlessInterrupted(_ status: ExitStatus, raw: Int32) -> Never {
        gate.withLock { _ in Glibc._exit(raw) }
    }
}
