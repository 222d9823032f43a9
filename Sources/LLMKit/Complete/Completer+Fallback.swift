/// The call stage: the route's candidates, tried in order. A candidate is tried only after
/// the one before failed in a way another model may fix (`FallbackPolicy`), and a stream
/// moves on only while nothing has been delivered, unless `--retry-partial` starts it over.
extension Completer {
    public func complete(_ plan: RoutePlan) async throws(LLMError) -> ChatMessage {
        var failures: [(RouteCandidate, LLMError)] = []
        var contextFloor: Int?
        for candidate in plan.candidates {
            if let (from, error) = failures.last {
                guard FallbackPolicy.allows(candidate, after: error, contextFloor: contextFloor) else {
                    log.explain("\(candidate.model) skipped: \(skipReason(error, candidate))")
                    continue
                }
                log.explain("\(from.model) failed (\(error.code)): falling back to \(candidate.model)")
            }
            do throws(LLMError) {
                var reply = try await complete(candidate.request, with: candidate.provider(), settings: candidate.settings)
                finish(&reply, plan: plan, failures: failures)
                return reply
            } catch {
                failures.append((candidate, error))
                if error.kind == .contextLengthExceeded, let window = candidate.contextWindow { contextFloor = max(contextFloor ?? 0, window) }
                if !FallbackPolicy.fallsBack(error.kind) { throw error }
            }
        }
        throw Self.failed(failures)
    }

    /// Streams from the first candidate that delivers. `onRestart` is told when pieces
    /// already out are to be discarded: a retry or a fallback under `--retry-partial`.
    /// `onCandidate` is told each model as it is tried: what an interrupted run names.
    public func stream(_ plan: RoutePlan, into collector: StreamCollector, onCandidate: (ModelReference) -> Void = { _ in },
                       onRestart: @escaping @Sendable (LLMError) -> Void = { _ in }) async -> StreamOutcome {
        var failures: [(RouteCandidate, LLMError)] = []
        var contextFloor: Int?
        var outcome: StreamOutcome?
        for candidate in plan.candidates {
            if let (from, error) = failures.last {
                guard FallbackPolicy.allows(candidate, after: error, contextFloor: contextFloor) else {
                    log.explain("\(candidate.model) skipped: \(skipReason(error, candidate))")
                    continue
                }
                if collector.receivedAnything {
                    guard retryPartial else { break }
                    collector.restart()
                    onRestart(error)
                }
                log.explain("\(from.model) failed (\(error.code)): falling back to \(candidate.model)")
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
                finish(&done.message, plan: plan, failures: failures)
                return done
            }
            failures.append((candidate, error))
            if error.kind == .contextLengthExceeded, let window = candidate.contextWindow { contextFloor = max(contextFloor ?? 0, window) }
            if !FallbackPolicy.fallsBack(error.kind) { break }
        }
        // Nothing answered whole: the last partial reply is kept, with what failed.
        var last = outcome ?? StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"))
        // A reply partly out is that model's failure; a run where nothing came is every model's.
        last.error = collector.receivedAnything ? failures.last?.1 : Self.failed(failures)
        finish(&last.message, plan: plan, failures: Array(failures.dropLast()))
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

    private func skipReason(_ error: LLMError, _ candidate: RouteCandidate) -> String {
        guard error.kind == .contextLengthExceeded else { return "a \(error.code) failure is not one another model can fix" }
        return candidate.contextWindow.map { "its context window (\($0) tokens) is not larger" }
            ?? "context_windows in the config does not say its context window is larger"
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
