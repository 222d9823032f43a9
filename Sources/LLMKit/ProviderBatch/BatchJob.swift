/// A submitted provider batch, as the record `--detach` prints and `--resume` reads: the
/// job's id and, for every input line, what to write in its place once results are in.
public struct BatchJob: Sendable, Equatable {
    public enum Line: Sendable, Equatable {
        /// A request in the job: its result goes under `idKey` with `id`.
        case request(customID: String, idKey: String, id: JSONValue?, model: String, schema: JSONValue?)
        /// A line that failed before it could be sent: its error, as a `-j` batch writes it.
        case failed(idKey: String, id: JSONValue?, error: JSONObject)
        /// A record that is not a request, written back unchanged.
        case passThrough(String)
    }

    public var provider: String
    public var id: String
    public var lines: [Line]

    public var requestCount: Int {
        lines.reduce(0) { count, line in if case .request = line { return count + 1 } else { return count } }
    }

    /// The first request's model: what the provider and its key are found from on resume.
    public var model: String? {
        for case .request(_, _, _, let model, _) in lines { return model }
        return nil
    }

    public var record: JSONObject {
        ["type": "batch_job", "provider": .string(provider), "id": .string(id), "requests": .int(requestCount),
         "lines": .array(lines.map { .object(Self.json($0)) })]
    }

    private static func json(_ line: Line) -> JSONObject {
        switch line {
        case .request(let customID, let idKey, let id, let model, let schema):
            var o: JSONObject = ["custom_id": .string(customID), "id_key": .string(idKey), "model": .string(model)]
            o.set("id", id)
            o.set("schema", schema)
            return o
        case .failed(let idKey, let id, let error):
            var o: JSONObject = ["id_key": .string(idKey), "error": .object(error)]
            o.set("id", id)
            return o
        case .passThrough(let raw):
            return ["pass": .string(raw)]
        }
    }

    public init(provider: String, id: String, lines: [Line]) {
        self.provider = provider
        self.id = id
        self.lines = lines
    }

    /// A job record, as `--detach` wrote it.
    public init(record: JSONObject) throws(LLMError) {
        guard record["type"] == "batch_job", let provider = record["provider"]?.stringValue, let id = record["id"]?.stringValue,
              let lines = record["lines"]?.arrayValue else {
            throw LLMError(.invalidInput, "not a batch job record: --resume wants the {\"type\":\"batch_job\",…} line that --detach printed")
        }
        self.provider = provider
        self.id = id
        self.lines = try lines.map { value throws(LLMError) in
            if let raw = value["pass"]?.stringValue { return .passThrough(raw) }
            let idKey = value["id_key"]?.stringValue ?? "id"
            if let error = value["error"]?.objectValue { return .failed(idKey: idKey, id: value["id"], error: error) }
            guard let customID = value["custom_id"]?.stringValue, let model = value["model"]?.stringValue else {
                throw LLMError(.invalidInput, "the batch job record has a line with neither custom_id and model, error, nor pass")
            }
            return .request(customID: customID, idKey: idKey, id: value["id"], model: model, schema: value["schema"])
        }
    }
}
