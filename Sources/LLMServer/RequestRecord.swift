import LLMKit
import Synchronization

/// What one request's access-log line says, filled in by whoever learns it — the routes,
/// the chat service, a stream as it ends — and written once, when the reply is out.
final class RequestRecord: Sendable {
    private let entry = Mutex(AccessLog.Entry())

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
}
