import Synchronization

/// The servers of one provider whose `api_base` is a list. Each request goes to the
/// replica with the fewest requests in flight; a replica that fails is left out for its
/// cool-down, then probed (the provider's health check, as `llm-probe` does it) and let
/// back in only if it answers.
public final class ReplicaPool: Sendable {
    struct Replica {
        var base: String
        var inFlight = 0
        var sent = 0
        /// Out of service until then; nil while in service.
        var outUntil: ContinuousClock.Instant?
        /// A probe is running: nobody else probes it meanwhile.
        var probing = false
        /// Failures in a row: each doubles the next cool-down, up to 16 times.
        var strikes = 0
    }

    /// One request's use of one replica; give it back with `release` or `failed`.
    public struct Lease: Sendable {
        public let index: Int
        public let base: String
    }

    private let replicas: Mutex<[Replica]>
    private let cooldown: Double
    /// True when the server at that base answers its health check.
    private let probe: @Sendable (String) async -> Bool
    private let log: Log
    let name: String

    public init(name: String, bases: [String], cooldown: Double, log: Log, probe: @escaping @Sendable (String) async -> Bool) {
        self.name = name
        self.replicas = Mutex(bases.map { Replica(base: $0) })
        self.cooldown = cooldown
        self.probe = probe
        self.log = log
    }


    /// The replica for the next attempt, leaving out `tried`; nil when none is in service
    /// and none whose cool-down is over passes its probe.
    public func acquire(excluding tried: Set<Int> = []) async -> Lease? {
        let now = ContinuousClock.now
        let (chosen, due) = replicas.withLock { list -> (Lease?, [Int]) in
            var due: [Int] = []
            for i in list.indices where list[i].outUntil.map({ $0 <= now }) == true && !list[i].probing && !tried.contains(i) {
                list[i].probing = true
                due.append(i)
            }
            let open = list.indices.filter { list[$0].outUntil == nil && !tried.contains($0) }
            guard let best = open.min(by: { (list[$0].inFlight, list[$0].sent) < (list[$1].inFlight, list[$1].sent) }) else {
                return (nil, due)
            }
            list[best].inFlight += 1
            list[best].sent += 1
            return (Lease(index: best, base: list[best].base), due)
        }
        if let chosen {
            // Others serve meanwhile: the probes run beside this request.
            for index in due { Task { _ = await self.probeBack(index) } }
            return chosen
        }
        // Nothing in service: the first replica that passes its probe takes the request;
        // the rest are probed beside it, so none is left marked as being probed.
        for (position, index) in due.enumerated() where await probeBack(index) {
            for other in due.dropFirst(position + 1) { Task { _ = await self.probeBack(other) } }
            return replicas.withLock { list in
                list[index].inFlight += 1
                list[index].sent += 1
                return Lease(index: index, base: list[index].base)
            }
        }
        return nil
    }

    /// Runs the health check of a replica whose cool-down is over; true if it is back.
    private func probeBack(_ index: Int) async -> Bool {
        let base = replicas.withLock { $0[index].base }
        let healthy = await probe(base)
        replicas.withLock { list in
            list[index].probing = false
            if healthy {
                list[index].outUntil = nil
                list[index].strikes = 0
            } else {
                list[index].strikes = min(list[index].strikes + 1, 16)
                list[index].outUntil = .now + .seconds(coolDown(strikes: list[index].strikes))
            }
        }
        log.verbose { "\(name): replica \(base) " + (healthy ? "is back in service" : "still fails its health check") }
        return healthy
    }

    public func release(_ lease: Lease) {
        replicas.withLock { $0[lease.index].inFlight -= 1 }
    }

    /// The attempt failed in a way that says the server is down or broken: it is left out.
    public func failed(_ lease: Lease, _ error: LLMError) {
        let seconds = replicas.withLock { list -> Double in
            list[lease.index].inFlight -= 1
            guard list[lease.index].outUntil == nil else { return 0 }
            list[lease.index].strikes = min(list[lease.index].strikes + 1, 16)
            let seconds = coolDown(strikes: list[lease.index].strikes)
            list[lease.index].outUntil = .now + .seconds(seconds)
            return seconds
        }
        if seconds > 0 { log.verbose { "\(name): replica \(lease.base) left out for \(seconds) s: \(error.message)" } }
    }

    private func coolDown(strikes: Int) -> Double {
        min(cooldown * Double(1 << min(max(strikes - 1, 0), 6)), max(cooldown, 600))
    }

    /// Failures that say the server, not the request, is at fault.
    public static func isReplicaFault(_ error: LLMError) -> Bool {
        switch error.kind {
        case .connectionFailed, .timeout, .serverError, .overloaded, .invalidReply: true
        default: false
        }
    }
}
