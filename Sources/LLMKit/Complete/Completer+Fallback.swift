/// The call stage: the route's candidates, tried in order. A candidate is tried only after
/// the one before failed in a way another model may fix (`FallbackPolicy`), and a stream
/// moves on only while nothing has been delivered, unless `--retry-partial` starts it over.
extension Completer {
    public func complete(_ plan: RoutePlan) async throws(LLMError) -> ChatMessage {
        var walk = FallbackWalk(log: log)
        for candidate in plan.candidates where walk.mayTry(candidate) {
            do throws(LLMError) {
                var reply = try await complete(candidate.request, with: candidate.provider(), settings: candidate.settings)
                finish(&reply, plan: plan, failures: walk.failures)
                return reply
            } catch {
                walk.failed(candidate, error)
                if !FallbackPolicy.fallsBack(error.kind) { throw error }
            }
        }
        throw Self.failed(walk.failures)
    }

    /// Streams from the first candidate that delivers. `onRestart` is told when pieces
    /// already out are to be discarded: a retry or a fallback under `--retry-partial`.
    /// `onCandidate` is told each model as it is tried: what an interrupted run names.
    public func stream(_ plan: RoutePlan, into collector: StreamCollector, onCandidate: (ModelReference) -> Void = { _ in },
                       onRestart: @escaping @Sendable (LLMError) -> Void = { _ in }) async -> StreamOutcome {
        var walk = FallbackWalk(log: log)
        var outcome: StreamOutcome?
        for candidate in plan.candidates {
            if let (_, error) = walk.failures.last, collector.receivedAnything {
                // Text is out: a fallback would repeat it, unless told to start over.
                guard retryPartial else { break }
                guard walk.mayTry(candidate) else { continue }
                collector.restart()
                onRestart(error)
            } else if !walk.mayTry(candidate) {
                continue
            }
            onCandidate(candidate.model)
            let attempt: StreamOutcome
            do throws(LLMError) {
                attempt = await stream(candidate.request, with: try candidate.provider(), settings: candidate.settings, into: collector, onRestart: onRestart)
            } catch {
                attempt = StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
            }
            outcome = attempt
            guard let error = attempt.error else {
                var done = attempt
                finish(&done.message, plan: plan, failures: walk.failures)
                return done
            }
            walk.failed(candidate, error)
            if !FallbackPolicy.fallsBack(error.kind) { break }
        }
        // Nothing answered whole: the last partial reply is kept, with what failed.
        var last = outcome ?? StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"))
        // A reply partly out is that model's failure; a run where nothing came is every model's.
        last.error = collector.receivedAnything ? walk.failures.last?.1 : Self.failed(walk.failures)
        finish(&last.message, plan: plan, failures: Array(walk.failures.dropLast()))
        return last
    }

    /// The reply's trail: the model that answered, the route that chose it, what failed before.
    private func finish(_ reply: inout ChatMessage, plan: RoutePlan, failures: [(RouteCandidate, LLMError)]) {
        if !failures.isEmpty {
            reply.extra["fallback_from"] = .array(failures.map { candidate, error in
                ["model": .string(candidate.model.description), "code": .string(error.code), "message": .string(error.message)]
            })
        }
        if let route = plan.route { reply.extra["route"] = .object(route) }
        stamp(&reply)
    }

    /// One failure is itself, and so is the last when no fallback could fix it (a bad
    /// request, a context overflow with no larger model); else `fallbacks_failed`, naming each.
    static func failed(_ failures: [(RouteCandidate, LLMError)]) -> LLMError {
        guard failures.count > 1, let last = failures.last?.1 else {
            return failures.first?.1 ?? LLMError(.internalError, "no candidate model to try")
        }
        if !FallbackPolicy.fallsBack(last.kind) || last.kind == .contextLengthExceeded { return last }
        let each = failures.map { "\($0.0.model): \($0.1.message)" }.joined(separator: "; ")
        return LLMError(.fallbacksFailed, "the model and every fallback failed — \(each)", status: last.status,
                        provider: last.provider, model: last.model, retryable: failures.contains { $0.1.retryable == true })
    }
}

/// What failed so far in a walk over the candidates, and so which may be tried next.
struct FallbackWalk {
    let log: Log
    var failures: [(RouteCandidate, LLMError)] = []
    /// The largest context window among the models that overflowed.
    var contextFloor: Int?

    /// Whether `candidate` may be tried after what failed; `--explain` says either way.
    func mayTry(_ candidate: RouteCandidate) -> Bool {
        guard let (from, error) = failures.last else { return true }
        guard FallbackPolicy.allows(candidate, after: error, contextFloor: contextFloor) else {
            log.explain("\(candidate.model) skipped: \(skipReason(error, candidate))")
            return false
        }
        log.explain("\(from.model) failed (\(error.code)): falling back to \(candidate.model)")
        return true
    }

    mutating func failed(_ candidate: RouteCandidate, _ error: LLMError) {
        failures.append((candidate, error))
        if error.kind == .contextLengthExceeded, let window = candidate.contextWindow { contextFloor = max(contextFloor ?? 0, window) }
    }

    private func skipReason(_ error: LLMError, _ candidate: RouteCandidate) -> String {
        guard error.kind == .contextLengthExceeded else { return "a \(error.code) failure is not one another model can fix" }
        return candidate.contextWindow.map { "its context window (\($0) tokens) is not larger" }
            ?? "context_windows in the config does not say its context window is larger"
    }
}
