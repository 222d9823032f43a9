import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs a handler on SIGINT or SIGTERM instead of dying mid-write, so a tool can still
/// write what it has received before it exits.
public enum Interruption {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// `handler` runs on a background queue and must end the process.
    public static func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGINT, SIGTERM] {
            // A parent may have left these blocked (test runners do); a blocked signal
            // would never arrive.
            sigaddset(&mask, signal)
            Glibc.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { handler(signal) }
            source.resume()
            sources.append(source)
        }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    public static func exit(_ status: ExitStatus) -> Never {
        Glibc._exit(status.rawValue)
    }
}
