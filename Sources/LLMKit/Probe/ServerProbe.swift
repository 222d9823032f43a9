/// Finds out what answers at an address, by the endpoints each kind of server has of its
/// own: Ollama `/api/version`, llama.cpp `/health` (503 while it loads), vLLM `/version`,
/// LM Studio `/api/v0/models`, else an OpenAI-compatible `/v1/models`. All are asked at
/// once, each with a short deadline, so a scan of many ports costs one round trip.
public struct ServerProbe: Sendable {
    public var client: HTTPClient
    /// Seconds for each exchange: a server that accepts and never answers is `down`, by
    /// our clock, not its.
    public var timeout: Double
    public var headers: [(name: String, value: String)]

    public init(client: HTTPClient = .shared, timeout: Double = 3, headers: [(name: String, value: String)] = []) {
        self.client = client
        self.timeout = timeout
        self.headers = headers
    }

    /// `http://host:port` from an API base (`…/v1` and such are dropped).
    public static func root(of base: String) -> String {
        guard let url = try? ParsedURL(base) else { return base }
        return "\(url.scheme)://\(url.authority)"
    }

    struct Answer: Sendable {
        var status: Int?
        var body: JSONValue?
        var failure: String?
        var seconds: Double = 0
        var timedOut = false
        var ok: Bool { status.map { (200..<300).contains($0) } ?? false }
    }

    /// `keyed`: the request carries `headers` (the key). Only the provider's own endpoint
    /// gets them; the other kinds' endpoints are asked without.
    func get(_ url: String, keyed: Bool = true) async -> Answer {
        var request = HTTPRequest(method: "GET", url: url, headers: keyed ? headers : [])
        request.timeout = timeout
        request.connectTimeout = min(timeout, 2)
        request.maxBodyBytes = 16 << 20
        let start = ContinuousClock.now
        do {
            let response = try await client.send(request)
            return Answer(status: response.status, body: try? JSONParser.parse(response.body), seconds: (ContinuousClock.now - start) / .seconds(1))
        } catch {
            let failure = error.kind == .connectionRefused ? "connection refused" : error.kind == .hostNotFound ? "host not found" : error.detail
            return Answer(failure: failure, seconds: (ContinuousClock.now - start) / .seconds(1), timedOut: error.kind == .timedOut || error.kind == .stalled)
        }
    }

    /// What answers at `base`'s host and port. `modelsURL` is the provider's own models
    /// list (its `api_base` path kept), the one request that carries the key; without it,
    /// `/v1/models` at the root, asked with no key.
    public func identify(_ base: String, modelsURL: String? = nil) async -> ServerHealth {
        let root = Self.root(of: base)
        let keyedRoot = modelsURL == nil && !headers.isEmpty && base == root  // Ollama native: its base is the root
        async let ollama = get(root + "/api/version", keyed: keyedRoot)
        async let llama = get(root + "/health", keyed: false)
        async let vllm = get(root + "/version", keyed: false)
        async let studio = get(root + "/api/v0/models", keyed: false)
        async let openai = get(modelsURL ?? root + "/v1/models", keyed: modelsURL != nil)
        let answers = await (ollama: ollama, llama: llama, vllm: vllm, studio: studio, openai: openai)
        let all = [answers.ollama, answers.llama, answers.vllm, answers.studio, answers.openai]

        var health = ServerHealth(target: root, status: .up)
        health.latencyMs = all.filter { $0.status != nil }.map(\.seconds).min().map { $0 * 1000 }
        health.answered = all.contains { $0.status != nil }
        let listed = answers.openai.ok && answers.openai.body?["data"]?.arrayValue != nil
        guard health.answered else {
            health.status = .down
            let timedOut = all.contains(where: \.timedOut)
            health.error = timedOut ? "no answer within \(ToolOutput.seconds(timeout)) s" : all.first?.failure ?? "no answer"
            return health
        }
        if answers.ollama.ok, let version = answers.ollama.body?["version"]?.stringValue {
            health.server = "ollama"
            health.version = version
            await ollamaModels(root, into: &health)
        } else if answers.llama.status == 503 || answers.llama.ok && answers.llama.body?["status"] != nil {
            health.server = "llama.cpp"
            if answers.llama.status == 503 {
                health.status = .loading
                health.error = answers.llama.body?["error"]?["message"]?.stringValue ?? "loading the model"
            } else {
                health.version = await get(root + "/props", keyed: false).body?["build_info"]?.stringValue
                health.listError = listed ? nil : Self.problem(answers.openai, "/v1/models")
            }
            health.models = Self.openAIModels(answers.openai.body)
        } else if answers.vllm.ok, let version = answers.vllm.body?["version"]?.stringValue {
            health.server = "vllm"
            health.version = version
            health.models = Self.openAIModels(answers.openai.body)
            health.listError = listed ? nil : Self.problem(answers.openai, "/v1/models")
        } else if answers.studio.ok, let data = answers.studio.body?["data"]?.arrayValue {
            health.server = "lm_studio"
            health.models = data.compactMap { item in
                item["id"]?.stringValue.map { ServedModel(name: $0, loaded: item["state"]?.stringValue.map { $0 == "loaded" }) }
            }
        } else if listed {
            health.server = "openai-compatible"
            health.models = Self.openAIModels(answers.openai.body)
        } else if answers.openai.status == 401 || answers.openai.status == 403 {
            health.status = .down
            health.error = "the server refused the key (HTTP \(answers.openai.status!))"
        } else {
            health.status = .down
            health.error = "answers HTTP, but is no model server llmkit knows (/v1/models: \(Self.problem(answers.openai, "")))"
        }
        return health
    }

    /// What went wrong with one request, in a few words.
    static func problem(_ answer: Answer, _ path: String) -> String {
        let what = answer.status.map { (200..<300).contains($0) ? "not a models list" : "HTTP \($0)" } ?? answer.failure ?? "no answer"
        return path.isEmpty ? what : "\(path): \(what)"
    }

    private func ollamaModels(_ root: String, into health: inout ServerHealth) async {
        async let tags = get(root + "/api/tags")
        async let running = get(root + "/api/ps")
        let (all, loaded) = await (tags, running)
        guard all.ok, all.body?["models"]?.arrayValue != nil else {
            health.listError = Self.problem(all, "/api/tags")
            return
        }
        health.models = Self.ollamaModels(all, loaded)
    }

    private static func ollamaModels(_ all: Answer, _ loaded: Answer) -> [ServedModel] {
        let inMemory = Set((loaded.body?["models"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue ?? $0["model"]?.stringValue })
        return (all.body?["models"]?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue ?? item["model"]?.stringValue else { return nil }
            return ServedModel(name: name, sizeBytes: item["size"]?.intValue, loaded: loaded.ok ? inMemory.contains(name) : nil)
        }
    }

    /// `{"data":[{"id":…}]}`, the OpenAI models list.
    static func openAIModels(_ body: JSONValue?) -> [ServedModel] {
        (body?["data"]?.arrayValue ?? []).compactMap { item in
            item["id"]?.stringValue.map { ServedModel(name: $0, sizeBytes: item["meta"]?["size"]?.intValue) }
        }
    }

    /// A hosted API's models list, asked with its key: reachable, the key accepted, and
    /// what it serves, for free (no completion).
    public func hosted(_ url: String, server: String, names: (JSONValue?) -> [ServedModel]) async -> ServerHealth {
        let answer = await get(url)
        var health = ServerHealth(target: Self.root(of: url), status: answer.ok ? .up : .down, server: server)
        health.latencyMs = answer.status == nil ? nil : answer.seconds * 1000
        health.answered = answer.status != nil
        if answer.ok {
            health.models = names(answer.body)
        } else if let status = answer.status {
            let said = answer.body.flatMap { HTTPErrorMapper.errorDetail($0)?.message }.map { ": " + HTTPErrorMapper.oneLine($0, limit: 200) } ?? ""
            health.error = (status == 401 || status == 403 || status == 400 ? "the key was refused" : "HTTP \(status)") + said
        } else {
            health.error = answer.timedOut ? "no answer within \(ToolOutput.seconds(timeout)) s" : answer.failure
        }
        return health
    }
}
