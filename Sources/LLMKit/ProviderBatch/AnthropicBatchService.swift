/// Anthropic's Message Batches: the requests in one POST, polled until ended, results
/// read from the URL the batch gives (on Anthropic's own host only).
struct AnthropicBatchService: BatchService {
    var endpoint: BatchEndpoint
    var base: String { endpoint.base(dropping: "/messages") + "/messages/batches" }

    func submit(_ entries: [BatchEntry]) async throws(LLMError) -> String {
        let requests: [JSONValue] = entries.map { entry in
            var params = entry.body
            params["stream"] = nil
            return ["custom_id": .string(entry.customID), "params": .object(params)]
        }
        let batch = try await endpoint.json("POST", base, body: ["requests": .array(requests)])
        guard let id = batch["id"]?.stringValue else {
            throw LLMError(.invalidReply, "\(endpoint.settings.name) created the batch but gave no id", provider: endpoint.settings.name)
        }
        return id
    }

    func poll(_ id: String) async throws(LLMError) -> BatchProgress {
        let batch = try await endpoint.json("GET", base + "/" + BatchEndpoint.pathSegment(id))
        let counts = batch["request_counts"]
        let count = { (key: String) in counts?[key]?.intValue ?? 0 }
        var progress = BatchProgress(id: id, state: batch["processing_status"]?.stringValue ?? "unknown")
        progress.failed = count("errored") + count("canceled") + count("expired")
        progress.done = count("succeeded") + progress.failed
        progress.total = progress.done + count("processing")
        progress.ended = progress.state == "ended"
        progress.sources = [batch["results_url"]?.stringValue].compactMap { $0 }
        return progress
    }

    func results(of progress: BatchProgress) async throws(LLMError) -> [String: BatchOutcome] {
        var results: [String: BatchOutcome] = [:]
        for url in progress.sources {
            try endpoint.checkSameOrigin(url)
            let response = try await endpoint.send("GET", url)
            for line in BatchEndpoint.lines(response.body) {
                guard let customID = line["custom_id"]?.stringValue else { continue }
                results[customID] = outcome(line["result"])
            }
        }
        return results
    }

    /// `succeeded` with the message; `errored` with the error body a request alone would
    /// have had; `canceled` or `expired` without one.
    private func outcome(_ result: JSONValue?) -> BatchOutcome {
        let name = endpoint.settings.name
        switch result?["type"]?.stringValue {
        case "succeeded":
            if let message = result?["message"] { return .reply(message) }
        case "errored":
            let body = result?["error"] ?? .null
            let type = body["error"]?["type"]?.stringValue ?? body["type"]?.stringValue ?? ""
            return .failed(status: Self.status(ofErrorType: type), body: body)
        case "canceled":
            return .notRun(.interrupted, "the batch was cancelled before this request ran")
        case "expired":
            return .notRun(.timeout, "\(name) did not run this request before the batch expired")
        default: break
        }
        return .notRun(.invalidReply, "\(name) gave a result this client does not know for this request")
    }

    /// The HTTP status Anthropic answers each error type with.
    static func status(ofErrorType type: String) -> Int {
        switch type {
        case "invalid_request_error": 400
        case "authentication_error": 401
        case "billing_error": 402
        case "permission_error": 403
        case "not_found_error": 404
        case "request_too_large": 413
        case "rate_limit_error": 429
        case "overloaded_error": 529
        default: 500
        }
    }
}
