/// A provider's own batch service (OpenAI's Batch API, Anthropic's Message Batches): a
/// large job submitted whole, run by the provider within a day at about half the price.
protocol BatchService: Sendable {
    /// Submits the requests; returns the job's id.
    func submit(_ entries: [BatchEntry]) async throws(LLMError) -> String
    func poll(_ id: String) async throws(LLMError) -> BatchProgress
    var endpoint: BatchEndpoint { get }
    /// Each request's outcome, by custom id.
    func results(of progress: BatchProgress) async throws(LLMError) -> [String: BatchOutcome]
}

/// What became of one request of a job.
enum BatchOutcome: Sendable {
    /// A 2xx reply's body.
    case reply(JSONValue)
    /// The error response the request would have had on its own.
    case failed(status: Int, body: JSONValue)
    /// Not run (expired, cancelled), or a result this client cannot read.
    case notRun(LLMError.Kind, String)
}

/// One request of a job: the body the provider's own request builder made.
struct BatchEntry: Sendable {
    var customID: String
    var body: JSONObject
    /// The endpoint's path (`/v1/chat/completions`), for OpenAI's batch lines.
    var path: String
}

public struct BatchProgress: Sendable, Equatable {
    public var id: String
    public var state: String
    public var done = 0
    public var failed = 0
    public var total = 0
    public var ended = false
    /// Where the results are: OpenAI's output and error file ids, Anthropic's results URL.
    var sources: [String] = []

    /// For stderr: `batch_abc: in_progress, 120 of 300 done (2 failed)`.
    public var summary: String {
        "\(id): \(state), \(done) of \(total) done" + (failed > 0 ? " (\(failed) failed)" : "")
    }
}

enum BatchServices {
    /// The batch service of a provider's format; nil for formats that have none.
    static func service(for settings: ProviderSettings, http: HTTPRequest, model: ModelReference) throws(LLMError) -> (any BatchService)? {
        let endpoint = BatchEndpoint(settings: settings, headers: http.headers.filter { $0.name.lowercased() != "content-type" },
                                     model: model, requestURL: http.url)
        switch settings.format {
        case OpenAICompatibleFormat.name: return OpenAIBatchService(endpoint: endpoint)
        case AnthropicFormat.name: return AnthropicBatchService(endpoint: endpoint)
        default: return nil
        }
    }
}
