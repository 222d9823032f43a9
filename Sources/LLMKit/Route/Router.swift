/// The route stage: from the model asked for to the ordered list of candidates, each with
/// the reason it is there. Rules, fallbacks and `prefer`/`--offline` come from the config
/// and flags only; a record may ask for a model (or a router), never for where it runs.
public struct Router: Sendable {
    public var config: Config
    public var factory: ProviderFactory
    /// `--fallback`, in order: they replace the config's fallbacks for the model.
    public var fallbacks: [String] = []
    /// `--route`: the tag a rule may match.
    public var tag: String?
    /// `--offline`: only local providers are candidates.
    public var offline = false
    /// Asked once a run, and only when `prefer: local` needs to know.
    public var networkReachable: @Sendable () -> Bool = NetworkReachability.checkedOnce()

    public init(config: Config, factory: ProviderFactory) {
        self.config = config
        self.factory = factory
    }

    public func plan(asked: String, messages: [ChatMessage], tools: [ToolDefinition], options: RequestOptions,
                     checkEndpoint: (ModelReference) throws(LLMError) -> Void) throws(LLMError) -> RoutePlan {
        var explanation: [String] = []
        var route: JSONObject?
        var chosen = asked
        var ruleFallbacks: [String] = []
        var ruleName: String?
        if let rules = config.routing.routes[asked] {
            guard options.apiBase == nil else {
                throw LLMError(.usage, "--api-base (or LLMKIT_API_BASE) cannot go with the router \(asked): its rules choose the provider from what the input holds, "
                               + "and that provider's key would go to the endpoint. Name a provider/model with -m")
            }
            let facts = RoutingRule.Facts(messages: messages, tools: tools, tag: tag)
            guard let index = rules.firstIndex(where: { $0.matches(facts) }) else {
                throw LLMError(.configuration, "no rule of route \(asked) matches this request (about \(facts.inputTokens) input tokens"
                               + "\(facts.hasTools ? ", tools" : "")\(facts.hasImages ? ", images" : "")\(tag.map { ", --route \($0)" } ?? ""))"
                               + "; end routes.\(asked) with a rule that has no when:")
            }
            let rule = rules[index]
            let why = rule.describe(facts)
            chosen = rule.model
            ruleFallbacks = rule.fallbacks
            ruleName = "route \(asked) rule \(index + 1) (\(why))"
            route = ["name": .string(asked), "rule": .int(index + 1), "why": .string(why)]
            explanation.append("\(asked): rule \(index + 1) (\(why)) chose \(rule.model)")
        }
        let primary = try ModelReference.resolve(chosen, config: config)
        try checkEndpoint(primary)
        var names = fallbacks.isEmpty
            ? ruleFallbacks + (config.routing.fallbacks[chosen] ?? config.routing.fallbacks[primary.description] ?? config.routing.fallbacks[asked] ?? [])
            : fallbacks
        names.removeAll { $0 == chosen }
        let base = CompletionRequest(model: primary, messages: messages, tools: tools, options: options)
        var candidates = [candidate(primary, base: base)]
        for name in names {
            let model = try ModelReference.resolve(name, config: config)
            guard !candidates.contains(where: { $0.model == model }) else { continue }
            candidates.append(candidate(model, base: base))
        }
        if candidates.count > 1 {
            explanation.append("\(primary) falls back to " + candidates.dropFirst().map(\.model.description).joined(separator: ", then "))
        }
        let why = offline ? "--offline" : config.routing.preferLocal && !networkReachable() ? "prefer: local, and no network is reachable" : nil
        if let why {
            let local = candidates.filter(isLocal)
            guard !local.isEmpty else {
                let picked = ruleName.map { "\($0) chose \(primary)" } ?? "\(primary) was asked for"
                throw LLMError(.noLocalCandidate, "offline (\(why)): \(picked), which is not local, and "
                               + (candidates.count > 1 ? "none of its fallbacks is local" : "it has no fallback")
                               + "; add a local model to its fallbacks, or go online")
            }
            for dropped in candidates where !isLocal(dropped) { explanation.append("offline (\(why)): \(dropped.model) left out, not local") }
            candidates = local
        } else if config.routing.preferLocal {
            let ordered = candidates.filter(isLocal) + candidates.filter { !isLocal($0) }
            if ordered.map(\.model) != candidates.map(\.model) {
                explanation.append("prefer: local puts \(ordered[0].model) first")
                var trail = route ?? [:]
                trail["prefer"] = "local"
                route = trail
            }
            candidates = ordered
        }
        return RoutePlan(candidates: candidates, route: route, explanation: explanation)
    }

    private func candidate(_ model: ModelReference, base: CompletionRequest) -> RouteCandidate {
        var request = base
        request.model = model
        // An endpoint from --api-base is the asked provider's: another provider's key
        // must not go there, so its fallbacks go to their own endpoints.
        if model.provider != base.model.provider { request.options.apiBase = nil }
        let window = config.routing.contextWindows[model.description] ?? config.routing.contextWindows[model.name]
        return RouteCandidate(request: request, factory: factory, settings: try? factory.settings(for: model), contextWindow: window)
    }

    private func isLocal(_ candidate: RouteCandidate) -> Bool {
        candidate.settings?.isLocal ?? false
    }
}
