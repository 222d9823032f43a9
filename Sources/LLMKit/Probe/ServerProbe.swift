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

    func get(_ url: String) async -> Answer {
        var request = HTTPRequest(method: "GET", url: url, headers: headers)
        request.timeout = timeout
        request.connectTimeout = min(timeout, 2)
        request.maxBodyBytes = 4 << 20
        let start = ContinuousClock.now
        do {
            let response = try await client.send(request)
            return Answer(status: response.status, body: try? JSONParser.parse(response.body), seconds: (ContinuousClock.now - start) / .seconds(1))
        } catch {
            let failure = error.kind == .connectionRefused ? "connection refused" : error.kind == .hostNotFound ? "host not found" : error.detail
            return Answer(failure: failure, seconds: (ContinuousClock.now - start) / .seconds(1), timedOut: error.kind == .timedOut || error.kind == .stalled)
        }
    }

    /// What answers at `base` (a root, or an API base whose path is ignored).
    public func identify(_ base: String) async -> ServerHealth {
        let root = Self.root(of: base)
        async let ollama = get(root + "/api/version")
        async let llama = get(root + "/health")
        async let vllm = get(root + "/version")
        async let studio = get(root + "/api/v0/models")
        async let openai = get(root + "/v1/models")
        let answers = await (ollama: ollama, llama: llama, vllm: vllm, studio: studio, openai: openai)
        let all = [answers.ollama, answers.llama, answers.vllm, answers.studio, answers.openai]

        var health = ServerHealth(target: root, status: .up)
        health.latencyMs = all.filter { $0.status != nil }.map(\.seconds).min().map { $0 * 1000 }
        guard all.contains(where: { $0.status != nil }) else {
            health.status = .down
            let timedOut = all.contains(where: \.timedOut)
            health.error = timedOut ? "no answer within \(ToolOutput.seconds(timeout)) s" : all.first?.failure ?? "no answer"
            return health
        }
        if answers.ollama.ok, let version = answers.ollama.body?["version"]?.stringValue {
            health.server = "ollama"
            health.version = version
            health.models = await ollamaModels(root)
        } else if answers.llama.status == 503 || answers.llama.ok && answers.llama.body?["status"] != nil {
            health.server = "llama.cpp"
            if answers.llama.status == 503 {
                health.status = .loading
                health.error = answers.llama.body?["error"]?["message"]?.stringValue ?? "loading the model"
            }
            health.models = Self.openAIModels(answers.openai.body)
        } else if answers.vllm.ok, let version = answers.vllm.body?["version"]?.stringValue {
            health.server = "vllm"
            health.version = version
            health.models = Self.openAIModels(answers.openai.body)
        } else if answers.studio.ok, let data = answers.studio.body?["data"]?.arrayValue {
            health.server = "lm_studio"
            health.models = data.compactMap { item in
                item["id"]?.stringValue.map { ServedModel(name: $0, loaded: item["state"]?.stringValue.map { $0 == "loaded" }) }
            }
        } else if answers.openai.ok {
            health.server = "openai-compatible"
            health.models = Self.openAIModels(answers.openai.body)
        } else if answers.openai.status == 401 || answers.openai.status == 403 {
            health.status = .down
            health.error = "the server refused the key (HTTP \(answers.openai.status!))"
        } else {
            health.status = .down
            health.error = "answers HTTP, but is no model server llmkit knows (/v1/models: HTTP \(answers.openai.status.map(String.init) ?? "none"))"
        }
        return health
    }

    private func ollamaModels(_ root: String) async -> [ServedModel] {
        async let tags = get(root + "/api/tags")
        async let running = get(root + "/api/ps")
        let (all, loaded) = await (tags, running)
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
