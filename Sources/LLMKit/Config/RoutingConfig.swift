/// The config's say on where requests go: routers, fallbacks, context windows, `prefer`.
public struct RoutingConfig: Sendable {
    /// `routes:`: a name (`auto`) that `-m` may give, and its rules, first match wins.
    public var routes: [String: [RoutingRule]] = [:]
    /// `fallbacks:`: a model (or alias) and what to try, in order, when it fails.
    public var fallbacks: [String: [String]] = [:]
    /// `context_windows:`: tokens per model, so a context-length failure falls back only
    /// to a model with a larger window.
    public var contextWindows: [String: Int] = [:]
    /// `prefer: local`: local models are tried first, and alone when there is no network.
    public var preferLocal = false

    public init() {}

    static func parse(_ top: [String: Any], place: String) throws(LLMError) -> RoutingConfig {
        var routing = RoutingConfig()
        if let prefer = top["prefer"] {
            guard let word = prefer as? String, ["local", "any"].contains(word) else {
                throw LLMError(.configuration, "\(place): prefer must be local or any")
            }
            routing.preferLocal = word == "local"
        }
        if let value = top["fallbacks"] {
            guard let map = value as? [String: Any] else {
                throw LLMError(.configuration, "\(place): fallbacks must map a model to the list of models to try after it")
            }
            for (model, list) in map { routing.fallbacks[model] = try models(list, "fallbacks.\(model)", place) }
        }
        if let value = top["context_windows"] {
            guard let map = value as? [String: Any] else {
                throw LLMError(.configuration, "\(place): context_windows must map a model to its context window in tokens")
            }
            for (model, tokens) in map {
                guard let count = tokens as? Int, count > 0 else {
                    throw LLMError(.configuration, "\(place): context_windows.\(model) must be a positive number of tokens")
                }
                routing.contextWindows[model] = count
            }
        }
        if let value = top["routes"] {
            guard let map = value as? [String: Any] else {
                throw LLMError(.configuration, "\(place): routes must map a router's name (such as auto) to its list of rules")
            }
            for (name, rules) in map {
                guard !name.contains("/") else {
                    throw LLMError(.configuration, "\(place): routes.\(name): a router's name has no /, so it cannot be taken for a provider/model")
                }
                guard let list = rules as? [Any], !list.isEmpty else {
                    throw LLMError(.configuration, "\(place): routes.\(name) must be a list of rules, each with a model and optional when: conditions")
                }
                var parsed: [RoutingRule] = []
                for (index, rule) in list.enumerated() {
                    parsed.append(try self.rule(rule, at: "routes.\(name)[\(index + 1)]", place))
                }
                routing.routes[name] = parsed
            }
        }
        return routing
    }

    static let conditionKeys = ["tools", "images", "max_input_tokens", "min_input_tokens", "route"]

    private static func rule(_ value: Any, at: String, _ place: String) throws(LLMError) -> RoutingRule {
        guard let map = value as? [String: Any], let model = map["model"] as? String else {
            throw LLMError(.configuration, "\(place): \(at) must be a mapping with a model (and optional when:, fallbacks:)")
        }
        if let unknown = map.keys.first(where: { !FileKeys.routeRule.contains($0) }) {
            throw LLMError(.configuration, "\(place): \(at).\(unknown) is not a rule setting; a rule has model, when and fallbacks")
        }
        var rule = RoutingRule(model: model)
        if let list = map["fallbacks"] { rule.fallbacks = try models(list, "\(at).fallbacks", place) }
        guard let conditions = map["when"] else { return rule }
        guard let when = conditions as? [String: Any] else {
            throw LLMError(.configuration, "\(place): \(at).when must map conditions (\(conditionKeys.joined(separator: ", "))) to values")
        }
        for (key, value) in when {
            switch key {
            case "tools", "images":
                guard let flag = value as? Bool else { throw LLMError(.configuration, "\(place): \(at).when.\(key) must be true or false") }
                if key == "tools" { rule.tools = flag } else { rule.images = flag }
            case "max_input_tokens", "min_input_tokens":
                guard let count = value as? Int, count >= 0 else {
                    throw LLMError(.configuration, "\(place): \(at).when.\(key) must be a whole number of tokens")
                }
                if key == "max_input_tokens" { rule.maxInputTokens = count } else { rule.minInputTokens = count }
            case "route":
                if let tag = value as? String {
                    rule.tags = [tag]
                } else if let tags = value as? [Any], !tags.isEmpty, tags.allSatisfy({ $0 is String }) {
                    rule.tags = tags.compactMap { $0 as? String }
                } else {
                    throw LLMError(.configuration, "\(place): \(at).when.route must be a tag or a list of tags")
                }
            default:
                throw LLMError(.configuration, "\(place): \(at).when.\(key) is not a condition; conditions are \(conditionKeys.joined(separator: ", "))")
            }
        }
        return rule
    }

    private static func models(_ value: Any, _ key: String, _ place: String) throws(LLMError) -> [String] {
        if let one = value as? String { return [one] }
        guard let list = value as? [Any], list.allSatisfy({ $0 is String }) else {
            throw LLMError(.configuration, "\(place): \(key) must be a list of provider/model strings or aliases")
        }
        return list.compactMap { $0 as? String }
    }
}
