import LLMKit
import Synchronization

/// What one request's access-log line says, filled in by whoever learns it — the routes,
/// the chat service, a stream as it ends. When the last holder lets go of the record, the
/// request is over however it ended (answered, refused, its client gone before a byte was
/// written), and what waits for that end — the log line, the metrics — runs, once.
final class RequestRecord: Sendable {
    private let entry = Mutex(AccessLog.Entry())
    private let ends = Mutex<[@Sendable (AccessLog.Entry) -> Void]>([])
    private let start = ContinuousClock.now

    func update(_ change: (inout AccessLog.Entry) -> Void) {
        entry.withLock { change(&$0) }
    }

    var current: AccessLog.Entry { entry.withLock { $0 } }

    /// A failure: its status and, for the operator, the whole story.
    func failed(_ error: ClientError) {
        update {
            $0.status = error.status
            $0.error = error.detail ?? error.message
        }
    }

    /// `action` gets the finished entry when the request is over.
    func whenOver(_ action: @escaping @Sendable (AccessLog.Entry) -> Void) {
        ends.withLock { $0.append(action) }
    }

    deinit {
        var final = entry.withLock { $0 }
        final.duration = .now - start
        for action in ends.withLock({ $0 }) { action(final) }
    }
}
