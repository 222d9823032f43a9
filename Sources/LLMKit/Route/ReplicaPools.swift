import Synchronization

/// The replica pools of one run, one per provider with several `api_base`s, made on first use.
public final class ReplicaPools: Sendable {
    private let pools = Mutex<[String: ReplicaPool]>([:])

    public init() {}

    /// The pool for a provider's settings; nil for a provider with one server, or when
    /// `--api-base` sends the request elsewhere.
    func pool(for settings: ProviderSettings?, request: CompletionRequest, factory: ProviderFactory, log: Log) -> ReplicaPool? {
        guard let settings, settings.replicas.count > 1, request.options.apiBase == nil else { return nil }
        return pools.withLock { pools in
            if let pool = pools[settings.name] { return pool }
            let model = request.model
            let pool = ReplicaPool(name: settings.name, bases: settings.replicas, cooldown: settings.cooldown, log: log) { base in
                // The health check `llm-probe` runs, against this one replica.
                guard let provider = try? factory.provider(for: model, apiBase: base) else { return false }
                return await provider.health(timeout: 3).status == .up
            }
            pools[settings.name] = pool
            return pool
        }
    }
}

extension ReplicaPool {
    /// One attempt, on the least busy replica in service; a replica that fails as a down
    /// server would is left out, and the attempt moves on to the next one at once.
    func attempt<T>(_ request: CompletionRequest, _ send: (CompletionRequest) async throws(LLMError) -> T) async throws(LLMError) -> T {
        var tried: Set<Int> = []
        var lastError: LLMError?
        while let lease = await acquire(excluding: tried) {
            var attempt = request
            attempt.options.apiBase = lease.base
            do throws(LLMError) {
                let result = try await send(attempt)
                release(lease)
                return result
            } catch {
                guard Self.isReplicaFault(error) else {
                    release(lease)
                    throw error
                }
                failed(lease, error)
                tried.insert(lease.index)
                lastError = error
            }
        }
        throw lastError ?? noneInService
    }

    /// The same for a stream: it moves on only while nothing has been delivered.
    func attemptStream(_ request: CompletionRequest, collector: StreamCollector,
                       _ send: (CompletionRequest) async -> StreamOutcome) async -> StreamOutcome {
        var tried: Set<Int> = []
        var last: StreamOutcome?
        while let lease = await acquire(excluding: tried) {
            var attempt = request
            attempt.options.apiBase = lease.base
            let outcome = await send(attempt)
            guard let error = outcome.error, Self.isReplicaFault(error) || error.kind == .streamInterrupted else {
                release(lease)
                return outcome
            }
            failed(lease, error)
            if collector.receivedAnything { return outcome }
            tried.insert(lease.index)
            last = outcome
        }
        return last ?? StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: noneInService)
    }

    private var noneInService: LLMError {
        LLMError(.connectionFailed, "every replica of \(name) failed and is sitting out its cool-down (cooldown: in the config)",
                 retryable: true)
    }
}
