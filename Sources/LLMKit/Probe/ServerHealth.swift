/// What one probe of one server found: the `probe` record.
public struct ServerHealth: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Answering, with its model loaded.
        case up
        /// Answering, but still loading weights (llama.cpp's 503): not down, not ready.
        case loading
        /// Not answering, or refusing us (a bad key).
        case down
    }

    public var target: String
    public var status: Status
    /// `ollama`, `llama.cpp`, `vllm`, `lm_studio`, `openai-compatible`, `anthropic`, `gemini`…
    public var server: String?
    public var version: String?
    public var latencyMs: Double?
    public var models: [ServedModel] = []
    /// Why it is down, in a line.
    public var error: String?
    /// What to do about it, fitted to the server.
    public var advice: String?
    /// The server sent an HTTP answer, even a refusal, or runs in process (mock, cmd): it is
    /// reachable.
    public var answered = false
    /// The models list could not be read (too large, too slow, not a list): which models
    /// are served is unknown, which is not the same as none.
    public var listError: String?

    public init(target: String, status: Status, server: String? = nil) {
        self.target = target
        self.status = status
        self.server = server
    }

    public var record: JSONObject {
        var o: JSONObject = ["type": "probe", "target": .string(target), "status": .string(status.rawValue)]
        o.set("server", server.map(JSONValue.string))
        o.set("version", version.map(JSONValue.string))
        o.set("latency_ms", latencyMs.map { .double(($0 * 10).rounded() / 10) })
        if status != .down || !models.isEmpty { o["models"] = .array(models.map { .object($0.record) }) }
        o.set("error", error.map(JSONValue.string))
        o.set("models_error", listError.map(JSONValue.string))
        o.set("advice", advice.map(JSONValue.string))
        return o
    }
}

/// A model a server serves, with what the server says about it.
public struct ServedModel: Sendable, Equatable {
    public var name: String
    public var sizeBytes: Int?
    /// In memory now (Ollama `/api/ps`, LM Studio's state); `nil` where the server does not say.
    public var loaded: Bool?

    public init(name: String, sizeBytes: Int? = nil, loaded: Bool? = nil) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.loaded = loaded
    }

    public var record: JSONObject {
        var o: JSONObject = ["name": .string(name)]
        o.set("size_bytes", sizeBytes.map(JSONValue.int))
        o.set("loaded", loaded.map(JSONValue.bool))
        return o
    }

    /// Whether `wanted` names this model: Ollama's `:latest` tag may be left out.
    public func matches(_ wanted: String) -> Bool {
        name == wanted || name == wanted + ":latest" || name.hasSuffix("/" + wanted) || name.split(separator: "/").last.map(String.init) == wanted
    }
}

extension ServerHealth {
    /// Down, with what to do about it fitted to the provider: its start hint for a local
    /// server, its key for a hosted one.
    func advised(by settings: ProviderSettings) -> ServerHealth {
        guard status == .down else { return self }
        var health = self
        if error?.contains("key") == true {
            let key = settings.apiKeyCommand != nil ? "api_key_cmd" : settings.apiKeyEnvs.joined(separator: " or ")
            health.advice = "check the key in \(key.isEmpty ? "the config" : key)"
        } else if let hint = settings.startHint {
            health.advice = "\(settings.name) is not running at \(target) — \(hint)"
        }
        return health
    }
}
