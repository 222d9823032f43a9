/// Retries what the server says is worth retrying (rate limits, overload, 5xx), as the
/// official SDKs do: honour `retry-after` up to a cap, else back off exponentially.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    /// A server asking for a longer wait than this is not waited for.
    public var maxServerDelay: Double = 60

    public init(maxRetries: Int = 2) { self.maxRetries = maxRetries }

    /// A cancelled task stops retrying at once.
    static let cancelled = LLMError(.interrupted, "cancelled; no more retries")

    public func delay(forAttempt attempt: Int, error: LLMError) -> Double? {
        guard attempt < maxRetries, error.retryable == true else { return nil }
        if let asked = error.retryAfter {
            return asked <= maxServerDelay ? max(0, asked) : nil
        }
        let backoff = min(0.5 * Double(1 << min(attempt, 10)), 8)
        return backoff * Double.random(in: 0.75...1)
    }

    public func run<T: Sendable>(
        onRetry: (LLMError, Double) -> Void = { _, _ in },
        _ operation: () async throws(LLMError) -> T
    ) async throws(LLMError) -> T {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                if Task.isCancelled { throw Self.cancelled }
                guard let wait = delay(forAttempt: attempt, error: error) else { throw error }
                onRetry(error, wait)
                do {
                    try await Task.sleep(for: .seconds(wait))
                } catch {
                    throw Self.cancelled
                }
                attempt += 1
            }
        }
    }
}
