#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation
import LLMKit
import Synchronization

/// Runs a handler on SIGINT, SIGTERM, SIGHUP or SIGQUIT (whose default, a crash report,
/// would print memory unredacted) instead of dying mid-write, so a tool can
/// still write what it has received before it exits. Signals and `_exit` are the
/// executables' business: a server embedding LLMKit must not have its process ended for it.
///
/// The signals are caught by a C handler that notes the first at once and wakes one thread
/// of ours through a pipe. A dispatch signal source delivers its event later, on a queue: a
/// run finishing in that moment exited 0 and the signal was lost; now the exit sees it.
public enum Interruption {
    /// Held by whoever ends the process: a signal handler, or `exitUnlessInterrupted`. The
    /// other waits for the end, so a run that was interrupted never also exits as finished.
    private static let gate = Mutex(())
    private static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// `handler` runs on a thread of its own, inside the exit gate, and must end the process.
    public static func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        let pipe = llmkit_catch_end_signals()
        guard pipe >= 0 else { return }
        // A parent may have left these blocked (test runners do); a blocked signal would
        // never arrive. Unblocked here and on the waiting thread, so one always takes it.
        unblockSignals()
        Thread.detachNewThread {
            unblockSignals()
            var byte: UInt8 = 0
            while true {
                let n = read(pipe, &byte, 1)
                if n == 1 { break }
                if n < 0 && errno == EINTR { continue }
                return
            }
            gate.withLock { _ in handler(Int32(byte)) }
        }
    }

    private static func unblockSignals() {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in signals { sigaddset(&mask, signal) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    public static func exit(_ status: ExitStatus) -> Never {
        Glibc._exit(status.rawValue)
    }

    /// Ends the process with `status`, unless a signal came first: then its handler is
    /// ending the process, and this waits for that. Output is written unbuffered, so
    /// nothing is lost by `_exit`.
    public static func exitUnlessInterrupted(_ status: ExitStatus) -> Never {
        exitUnlessInterrupted(code: status.rawValue)
    }

    /// The same, for a status outside llmkit's set (a Nagios plugin's 2 and 3, the status
    /// of `llm-tools loop`'s model command).
    public static func exitUnlessInterrupted(code: Int32) -> Never {
        gate.withLock { _ in
            if llmkit_end_signal_caught() == 0 { Glibc._exit(code) }
        }
        // Bounded: a handler that never ends the process must not leave it hanging.
        for _ in 0..<1000 { usleep(10_000) }
        Glibc._exit(ExitStatus.interrupted.rawValue)
    }
}
