import Synchronization

/// At most `limit` chat requests at once; the next is turned away (429), never queued.
final class RequestGate: Sendable {
    let limit: Int
    private let count = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// A ticket, or nil when full. The ticket gives its place back when dropped, however the
    /// request ends.
    func enter() -> Ticket? {
        let admitted = count.withLock { count -> Bool in
            guard count < limit else { return false }
            count += 1
            return true
        }
        return admitted ? Ticket(gate: self) : nil
    }

    fileprivate func leave() { count.withLock { $0 -= 1 } }

    final class Ticket: Sendable {
        private let gate: RequestGate
        fileprivate init(gate: RequestGate) { self.gate = gate }
        deinit { gate.leave() }
    }
}
