import Foundation
import Testing
@testable import LLMKit

/// A signal that lands on the thread waiting for a tool (the user's Ctrl-C, a handler
/// installed without SA_RESTART) interrupts its poll and read with EINTR: that is a retry,
/// never the end of the tool's output or of the tool.
@Suite struct ChildProcessInterruptionTests {
    final class Box: @unchecked Sendable {
        var thread: pthread_t?
        var result: Swift.Result<ChildProcess.Result, ChildProcess.Failure>?
        let done = DispatchSemaphore(value: 0)
    }

    @Test func signalsOnTheWaitingThreadAreRetriedNotTakenForTheEnd() throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGURG, &action, nil)
        let box = Box()
        let thread = Thread {
            var mask = sigset_t()
            sigemptyset(&mask)
            sigaddset(&mask, SIGURG)
            pthread_sigmask(SIG_UNBLOCK, &mask, nil)
            box.thread = pthread_self()
            box.result = Swift.Result { () throws(ChildProcess.Failure) -> ChildProcess.Result in
                try ChildProcess.runAndWait(["/bin/sh", "-c", "sleep 0.5; echo done; sleep 0.3; echo again"], environment: ["PATH": "/usr/bin:/bin"],
                                            timeout: 30, outputLimit: 1 << 20)
            }
            box.done.signal()
        }
        thread.start()
        while box.thread == nil { usleep(1000) }
        while box.done.wait(timeout: .now() + .milliseconds(3)) == .timedOut { pthread_kill(box.thread!, SIGURG) }
        let result = try #require(try box.result?.get())
        #expect(String(decoding: result.stdout, as: UTF8.self) == "done\nagain\n")
        #expect(result.exitStatus == 0 && !result.timedOut)
        #expect(result.duration > .milliseconds(700), "the tool ran to its end")
    }
}
