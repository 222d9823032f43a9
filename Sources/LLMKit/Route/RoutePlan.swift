/// One model a request may go to, and why it is on the list.
public struct RouteCandidate: Sendable {
    public var request: CompletionRequest
    /// The provider, or why it could not be built (a missing key): a candidate that
    /// cannot be reached is a failure to fall back from, like one that fails on the wire.
    public var provider: Result<any Provider, LLMError>
    public var settings: ProviderSettings?
    /// `primary`, `route auto rule 2`, `fallback of openai/gpt-4o`…
    public var reason: String
    /// From `context_windows:` in the config; only what it says is known.
    public var contextWindow: Int?

    public var model: ModelReference { request.model }
}

/// What the route stage chose: candidates in the order they are tried.
public struct RoutePlan: Sendable {
    public var candidates: [RouteCandidate]
    /// `{"name":"auto","rule":2,"why":"tools"}` when a router chose the model: written on the
    /// reply, so the record trail says why this model answered.
    public var route: JSONObject?
    /// Lines for `--explain`, in the order the decisions were taken.
    public var explanation: [String] = []

    /// The first candidate: what `--dry-run` shows.
    public var primary: RouteCandidate { candidates[0] }

    /// The first candidate's request and provider, or its error.
    public func primaryProvider() throws(LLMError) -> (CompletionRequest, any Provider) {
        (primary.request, try primary.provider.get())
    }
}
