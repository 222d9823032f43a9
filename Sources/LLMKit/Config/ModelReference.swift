/// A resolved `provider/model` string.
public struct ModelReference: Sendable, Equatable, CustomStringConvertible {
    public var provider: String
    /// The model's name as the provider knows it; may itself contain `/` (`openrouter/meta/llama`).
    public var name: String

    public init(provider: String, name: String) {
        self.provider = provider
        self.name = name
    }

    public var description: String { "\(provider)/\(name)" }

    /// Used when neither flag, environment, options record nor config names a model: a
    /// llama.cpp-compatible server on its default local port, which needs no key.
    public static let builtinDefault = "llamacpp/default"

    /// Resolves aliases (which may point at other aliases) and splits at the first `/`.
    public static func resolve(_ text: String, config: Config) throws(LLMError) -> ModelReference {
        var current = text
        var seen: Set<String> = []
        while let target = config.aliases[current] {
            guard seen.insert(current).inserted else {
                throw LLMError(.configuration, "alias \(text) refers to itself through \(seen.sorted().joined(separator: ", "))")
            }
            current = target
        }
        guard let slash = current.firstIndex(of: "/"), slash != current.startIndex,
              current.index(after: slash) != current.endIndex
        else {
            throw LLMError(.usage, "model \"\(current)\" needs a provider: write provider/model, e.g. ollama/\(current) or openai/\(current)")
        }
        return ModelReference(provider: String(current[..<slash]), name: String(current[current.index(after: slash)...]))
    }
}
