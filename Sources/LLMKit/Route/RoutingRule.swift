/// One rule of a router (`routes:` in the config): when every condition holds, `model`
/// answers. A rule with no conditions always holds, so it ends a list as its default.
public struct RoutingRule: Sendable, Equatable {
    public var model: String
    public var tools: Bool?
    public var images: Bool?
    /// The request's estimated prompt tokens (`RequestEstimate`) are at most this.
    public var maxInputTokens: Int?
    public var minInputTokens: Int?
    /// Holds when the caller's `--route` tag is one of these.
    public var tags: [String]?
    /// Tried after `model` when it fails, before the config's own fallbacks for it.
    public var fallbacks: [String] = []

    public init(model: String) { self.model = model }

    /// What is known about a request before it is sent: what rules choose by.
    public struct Facts: Sendable {
        public var inputTokens: Int
        public var hasTools: Bool
        public var hasImages: Bool
        public var tag: String?

        public init(messages: [ChatMessage], tools: [ToolDefinition], tag: String?) {
            let estimate = RequestEstimate(messages: messages.map { .object($0.wireObject) },
                                           tools: tools.isEmpty ? nil : .array(tools.map(\.json)),
                                           model: nil, maxTokens: nil)
            inputTokens = estimate.promptTokens
            hasTools = !tools.isEmpty
            hasImages = messages.contains { message in
                message.content?.arrayValue?.contains { part in
                    let type = part["type"]?.stringValue ?? ""
                    return type == "image_url" || type == "image" || type == "input_image"
                } ?? false
            }
            self.tag = tag
        }
    }

    public func matches(_ facts: Facts) -> Bool {
        if let tools, tools != facts.hasTools { return false }
        if let images, images != facts.hasImages { return false }
        if let maxInputTokens, facts.inputTokens > maxInputTokens { return false }
        if let minInputTokens, facts.inputTokens < minInputTokens { return false }
        if let tags, !tags.contains(facts.tag ?? "") { return false }
        return true
    }

    /// The conditions in words, with the request's own figure where one was compared.
    public func describe(_ facts: Facts) -> String {
        var parts: [String] = []
        if let tools { parts.append(tools ? "tools present" : "no tools") }
        if let images { parts.append(images ? "images present" : "no images") }
        if let maxInputTokens { parts.append("input ≤ \(maxInputTokens) tokens (about \(facts.inputTokens))") }
        if let minInputTokens { parts.append("input ≥ \(minInputTokens) tokens (about \(facts.inputTokens))") }
        if let tags { parts.append("--route \(tags.joined(separator: "|"))") }
        return parts.isEmpty ? "default" : parts.joined(separator: ", ")
    }
}
