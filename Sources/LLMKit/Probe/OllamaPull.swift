import Synchronization

/// `POST /api/pull` on an Ollama server: the model fetched, its progress passed on as it
/// comes (NDJSON: `{"status","digest","total","completed"}`, then `{"status":"success"}`).
public struct OllamaPull: Sendable {
    public struct Progress: Sendable, Equatable {
        public var status: String
        public var completed: Int?
        public var total: Int?

        public var record: JSONObject {
            var o: JSONObject = ["type": "progress", "status": .string(status)]
            o.set("completed", completed.map(JSONValue.int))
            o.set("total", total.map(JSONValue.int))
            return o
        }
    }

    public var root: String
    public var client: HTTPClient = .shared
    public var headers: [(name: String, value: String)] = []

    public init(root: String, headers: [(name: String, value: String)] = []) {
        self.root = root
        self.headers = headers
    }

    public func pull(_ model: String, progress: @escaping @Sendable (Progress) -> Void) async throws(LLMError) {
        var request = HTTPRequest(method: "POST", url: root + "/api/pull", headers: [("Content-Type", "application/json")] + headers)
        var body: [UInt8] = []
        JSONValue.object(["model": .string(model), "stream": true]).write(to: &body)
        request.body = body
        request.idleTimeout = 300  // a layer can take a while to verify
        let state = Mutex((parser: NDJSONParser(limit: 1 << 20), failure: String?.none, succeeded: false))
        let response: HTTPResponse
        do {
            response = try await client.send(request) { bytes in
                state.withLock { s in
                    s.parser.feed(bytes) { line in
                        guard let value = try? JSONParser.parse(line) else { return }
                        if let error = value["error"]?.stringValue { s.failure = error; return }
                        guard let status = value["status"]?.stringValue else { return }
                        if status == "success" { s.succeeded = true }
                        progress(Progress(status: status, completed: value["completed"]?.intValue, total: value["total"]?.intValue))
                    }
                    return s.failure == nil
                }
            }
        } catch {
            throw LLMError(.connectionFailed, "cannot pull \(model) from \(root): \(error.detail)")
        }
        let (failure, succeeded) = state.withLock { ($0.failure, $0.succeeded) }
        if let failure { throw LLMError(.modelNotFound, "Ollama could not pull \(model): \(HTTPErrorMapper.oneLine(failure))") }
        guard (200..<300).contains(response.status) else {
            let said = HTTPErrorMapper.errorDetail(try? JSONParser.parse(response.body))?.message ?? "HTTP \(response.status)"
            throw LLMError(.modelNotFound, "Ollama could not pull \(model): \(HTTPErrorMapper.oneLine(said))")
        }
        guard succeeded else { throw LLMError(.connectionFailed, "the pull of \(model) ended before Ollama said it succeeded") }
    }
}
