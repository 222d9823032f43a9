/// One model a request may go to.
public struct RouteCandidate: Sendable {
    public var request: CompletionRequest
    let factory: ProviderFactory
    public var settings: ProviderSettings?
    /// From `context_windows:` in the config; only what it says is known.
    public var contextWindow: Int?

    public var model: ModelReference { request.model }

    /// Built only when the candidate is tried: a fallback's key command runs only if the
    /// fallback is needed. A candidate that cannot be built (a missing key) is a failure
    /// to fall back from, like one that fails on the wire.
    public func provider() throws(LLMError) -> any Provider {
        do {
            return try factory.provider(for: model)
        } catch {
            throw error.attributed(provider: model.provider, model: model.description)
        }
    }
}

/// What the route stage chose: candidates in the order they are tried.
public struct RoutePlan: Sendable {
    public var candidates: [RouteCandidate]
    /// `{"name":"auto","rule":2,"why":"tools"}` when a router chose the model (with
    /// `"prefer":"local"` when that reordered the list): written on the reply, so the record
    /// trail says why this model answered.
    public var route: JSONObject?
    /// Lines for `--explain`, in the order the decisions were taken.
    public var explanation: [String] = []

    /// The first candidate: what `--dry-run` shows.
    public var primary: RouteCandidate { candidates[0] }

    /// The first candidate's request and provider, or its error.
    public func primaryProvider() throws(LLMError) -> (CompletionRequest, any Provider) {
        (primary.request, try primary.provider())
    }
}
