/// One `llm-probe` pass: what to probe, and what was found.
public struct ProbeRun: Sendable {
    /// The local servers tried when no target is given, by their default ports.
    public static let defaultPorts: [(port: Int, server: String)] = [
        (11434, "ollama"), (8080, "llama.cpp / LocalAI"), (9931, "llama.cpp"), (8000, "vllm"), (1234, "lm_studio"),
        (5000, "text-generation-webui"),
    ]

    public enum Target: Sendable {
        /// An address: identified by its own endpoints.
        case address(String)
        /// A model: its provider is asked, and the model looked for.
        case model(ModelReference, any Provider)
    }

    /// A probe of one target: the server's health, and the model asked about.
    public struct Result: Sendable {
        public var health: ServerHealth
        public var model: String?
        public var modelAvailable: Bool?

        /// Up, and serving the model asked for.
        public var healthy: Bool { health.status == .up && modelAvailable != false }

        public var record: JSONObject {
            var o = health.record
            o.set("model", model.map(JSONValue.string))
            o.set("model_available", modelAvailable.map(JSONValue.bool))
            return o
        }
    }

    /// Seconds each probe may take.
    public var timeout: Double

    public init(timeout: Double) { self.timeout = timeout }

    /// The addresses of a scan: the default ports, then every configured `api_base`.
    public static func discoveryTargets(config: Config, environment: Environment) -> [Target] {
        var roots = defaultPorts.map { "http://127.0.0.1:\($0.port)" }
        for name in config.providers.keys.sorted() {
            guard let base = config.provider(name, environment: environment)?.apiBase else { continue }
            let root = ServerProbe.root(of: base)
            if !roots.contains(root) { roots.append(root) }
        }
        return roots.map(Target.address)
    }

    /// Every target at once; results in the targets' order.
    public func probe(_ targets: [Target]) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await probe(target)) }
            }
            var results: [(Int, Result)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    public func probe(_ target: Target) async -> Result {
        switch target {
        case .address(let url):
            var health = await ServerProbe(timeout: timeout).identify(url)
            if health.status == .down, let known = Self.defaultPorts.first(where: { "http://127.0.0.1:\($0.port)" == health.target }) {
                health.advice = "nothing answers on port \(known.port) (\(known.server)'s default)"
            }
            return Result(health: health)
        case .model(let model, let provider):
            let health = await provider.health(timeout: timeout)
            var result = Result(health: health, model: model.description)
            guard health.status != .down, health.listError == nil else { return result }
            result.modelAvailable = Self.serves(health, model.name)
            if result.modelAvailable == false {
                let names = health.models.map(\.name)
                result.health.error = "\(model.name) is not served here" + (names.isEmpty ? "" : "; it serves \(names.prefix(20).joined(separator: ", "))")
                if health.server == "ollama" { result.health.advice = "fetch it with `ollama pull \(model.name)`" }
            }
            return result
        }
    }

    /// Fetches a missing model where the server can (Ollama); `nil` when it cannot, with why.
    public static func puller(for result: Result) -> (model: String, pull: OllamaPull)? {
        guard result.modelAvailable == false, result.health.server == "ollama",
              let model = result.model?.split(separator: "/", maxSplits: 1).last.map(String.init) else { return nil }
        return (model, OllamaPull(root: result.health.target))
    }

    /// What the local machine's servers already have (Ollama's models, with their sizes).
    public static func installedModels(environment: Environment) async -> [ServedModel] {
        guard let base = ProviderPresets.preset("ollama_chat", environment: environment)?.apiBase else { return [] }
        let found = await ServerProbe(timeout: 1).identify(base)
        return found.server == "ollama" ? found.models : []
    }

    /// Whether the server serves `name`. A llama.cpp server with one model answers to any
    /// name (single-model mode), so any name is served there.
    static func serves(_ health: ServerHealth, _ name: String) -> Bool {
        if health.models.contains(where: { $0.matches(name) }) { return true }
        return health.models.count == 1 && ["llama.cpp", "openai-compatible"].contains(health.server ?? "") && health.status != .down
    }
}
