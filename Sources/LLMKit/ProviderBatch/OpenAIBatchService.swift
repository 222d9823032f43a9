import Foundation

/// OpenAI's Batch API: upload the requests as a JSONL file, create a batch over it, poll
/// it, download its output and error files.
struct OpenAIBatchService: BatchService {
    var endpoint: BatchEndpoint
    var base: String { endpoint.base(dropping: "/chat/completions") }

    func submit(_ entries: [BatchEntry]) async throws(LLMError) -> String {
        var file: [UInt8] = []
        for entry in entries {
            let line: JSONObject = ["custom_id": .string(entry.customID), "method": "POST", "url": .string(entry.path), "body": .object(entry.body)]
            file.append(contentsOf: JSONValue.object(line).serialized.utf8)
            file.append(0x0A)
        }
        let boundary = "llmkit-" + UUID().uuidString
        var form: [UInt8] = []
        form.append(contentsOf: "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        form.append(contentsOf: "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n".utf8)
        form.append(contentsOf: file)
        form.append(contentsOf: "\r\n--\(boundary)--\r\n".utf8)
        let response = try await endpoint.send("POST", base + "/files", body: form, contentType: "multipart/form-data; boundary=\(boundary)")
        guard let fileID = (try? JSONParser.parse(response.body))?["id"]?.stringValue else {
            throw LLMError(.invalidReply, "\(endpoint.settings.name) accepted the batch file but gave no file id", provider: endpoint.settings.name)
        }
        let batch = try await endpoint.json("POST", base + "/batches", body: [
            "input_file_id": .string(fileID), "endpoint": .string(entries.first?.path ?? "/v1/chat/completions"), "completion_window": "24h",
        ])
        guard let id = batch["id"]?.stringValue else {
            throw LLMError(.invalidReply, "\(endpoint.settings.name) created the batch but gave no id", provider: endpoint.settings.name)
        }
        return id
    }

    func poll(_ id: String) async throws(LLMError) -> BatchProgress {
        let batch = try await endpoint.json("GET", base + "/batches/" + BatchEndpoint.pathSegment(id))
        let state = batch["status"]?.stringValue ?? "unknown"
        let counts = batch["request_counts"]
        var progress = BatchProgress(id: id, state: state)
        progress.done = (counts?["completed"]?.intValue ?? 0) + (counts?["failed"]?.intValue ?? 0)
        progress.failed = counts?["failed"]?.intValue ?? 0
        progress.total = counts?["total"]?.intValue ?? 0
        progress.ended = ["completed", "failed", "expired", "cancelled"].contains(state)
        progress.sources = [batch["output_file_id"], batch["error_file_id"]].compactMap { $0?.stringValue }
        if state == "failed" {
            let reasons = batch["errors"]?["data"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            throw LLMError(.badRequest, "\(endpoint.settings.name) refused batch \(id)" + (reasons.isEmpty ? "" : ": " + reasons.prefix(3).joined(separator: "; ")),
                           provider: endpoint.settings.name)
        }
        return progress
    }

    func results(of progress: BatchProgress) async throws(LLMError) -> [String: BatchOutcome] {
        var results: [String: BatchOutcome] = [:]
        for file in progress.sources {
            let response = try await endpoint.send("GET", base + "/files/" + BatchEndpoint.pathSegment(file) + "/content")
            for line in BatchEndpoint.lines(response.body) {
                guard let customID = line["custom_id"]?.stringValue else { continue }
                results[customID] = outcome(line)
            }
        }
        return results
    }

    /// `{"response":{"status_code","body"},"error":…}`: a reply, or why there is none.
    private func outcome(_ line: JSONObject) -> BatchOutcome {
        if let response = line["response"]?.objectValue, let status = response["status_code"]?.intValue, let body = response["body"] {
            return (200..<300).contains(status) ? .reply(body) : .failed(status: status, body: body)
        }
        let error = line["error"]
        let message = error?["message"]?.stringValue ?? "the batch gave no reply for this request"
        if error?["code"]?.stringValue == "batch_expired" {
            return .notRun(.timeout, "\(endpoint.settings.name) did not run this request before the batch's window ended: \(message)")
        }
        return .notRun(.serverError, "\(endpoint.settings.name): \(message)")
    }
}
