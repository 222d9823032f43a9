#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Tool messages finished but not yet written. A signal can end llm-tools while calls run:
/// the executable then writes what is here before it exits, so nothing that completed is
/// lost. Writing and taking share one lock, so a message is written once, never twice, and
/// once taken nothing more is written: the handler's records are the last.
public final class FinishedResults: Sendable {
    private struct State {
        var messages: [Int: ChatMessage] = [:]
        var written = 0
        var taken = false
    }

    private let state = Mutex(State())

    public init() {}

    func add(_ message: ChatMessage, at index: Int) {
        state.withLock { $0.messages[index] = message }
    }

    /// For a signal handler: removes the finished messages not yet written and returns them
    /// in call order, with how many were written before; nothing is written after this.
    /// Waits about a second at most for a writer holding the lock: one that stays stuck (no
    /// one reads the output) means nothing more could be read either, and this returns nil.
    public func take() -> (messages: [ChatMessage], written: Int)? {
        for _ in 0..<100 {
            let taken = state.withLockIfAvailable { s -> (messages: [ChatMessage], written: Int) in
                s.taken = true
                defer { s.messages.removeAll() }
                return (s.messages.keys.sorted().map { s.messages[$0]! }, s.written)
            }
            if let taken { return taken }
            usleep(10_000)
        }
        return nil
    }

    /// Hands `write` the finished messages from call `next` on that follow one another
    /// without a gap; returns the call after the last one handed.
    func writeReady(from next: Int, _ write: (ChatMessage) throws(LLMError) -> Void) throws(LLMError) -> Int {
        try state.withLock { (s: inout State) throws(LLMError) -> Int in
            var next = next
            guard !s.taken else { return next }
            while let message = s.messages.removeValue(forKey: next) {
                try write(message)
                s.written += 1
                next += 1
            }
            return next
        }
    }

    /// Hands every finished message to `write`, in call order.
    func write(_ body: ([ChatMessage]) throws(LLMError) -> Void) throws(LLMError) {
        try state.withLock { (s: inout State) throws(LLMError) in
            guard !s.taken else { return }
            let messages = s.messages.keys.sorted().map { s.messages[$0]! }
            s.messages.removeAll()
            try body(messages)
            s.written += messages.count
        }
    }
}
