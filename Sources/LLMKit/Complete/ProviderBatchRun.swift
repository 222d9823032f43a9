import Foundation

/// `--batch-api`: the batch lines go to the provider's own batch service instead of one
/// request each. The results are written as a `-j` batch writes them, in input order.
struct ProviderBatchRun {
    let tool: CompleteTool
    var completer: Completer { tool.completer }
    var log: Log { tool.log }

    /// Reads every line, submits the requests as one job, then waits for it (or, with
    /// `--detach`, prints the job record and leaves).
    func submit(first: InputLine, source: inout InputSource) async -> ExitStatus {
        var lines: [BatchJob.Line] = []
        var entries: [BatchEntry] = []
        var target: Target?
        var input = BatchInput(first: first)
        do throws(LLMError) {
            while let item = try input.next(from: &source) {
                switch item {
                case .request(let line, let request, let options, let tools):
                    do throws(LLMError) {
                        let (entry, model, schema, chosen) = try self.entry(request, line: line, options: options, tools: tools, target: target)
                        target = chosen
                        entries.append(entry)
                        lines.append(.request(customID: entry.customID, idKey: request.idKey, id: request.id, model: model, schema: schema))
                    } catch where error.kind == .usage || error.kind == .configuration {
                        throw error
                    } catch {
                        lines.append(.failed(idKey: request.idKey, id: request.id, error: error.record.removing(["type"])))
                    }
                case .passThrough(let line):
                    lines.append(.passThrough(String(decoding: line.raw, as: UTF8.self)))
                case .unreadable(let error):
                    log.note(error.message)
                    lines.append(.failed(idKey: "id", id: nil, error: error.record.removing(["type"])))
                }
            }
            guard let target else {
                // Nothing to send: every request failed before it could be.
                return write(BatchJob(provider: "", id: "", lines: lines), results: [:], parser: nil)
            }
            let service = try Self.service(target.settings, target.http)
            let id = try await service.submit(entries)
            let job = BatchJob(provider: target.settings.name, id: id, lines: lines)
            if tool.settings.detach {
                try tool.output.write(job.record)
                log.note("submitted batch \(id) (\(entries.count) requests) to \(target.settings.name); collect it with --resume FILE, FILE holding the line above")
                return .success
            }
            log.note("submitted batch \(id) (\(entries.count) requests) to \(target.settings.name); waiting (Ctrl-C writes the job record, for --resume)")
            return await wait(job, service: service, provider: target.provider)
        } catch {
            return tool.fail(error, writeRecord: error.kind != .usage)
        }
    }

    /// The provider a job goes to: the first request's, with the HTTP request that shows
    /// its endpoint and headers.
    private typealias Target = (settings: ProviderSettings, provider: any Provider, http: HTTPRequest)

    /// One request as its provider's request builder makes it, for the job's file.
    private func entry(_ request: BatchRequest, line: InputLine, options: RequestOptions, tools: [ToolDefinition],
                       target: Target?) throws(LLMError) -> (BatchEntry, model: String, schema: JSONValue?, target: Target) {
        let candidate = try tool.plan(request, streamOptions: options, streamTools: tools).primary
        let provider = try candidate.provider()
        guard let settings = candidate.settings, let http = try provider.httpRequest(for: candidate.request, stream: false),
              let body = http.body.flatMap({ try? JSONParser.parse($0) })?.objectValue else {
            throw LLMError(.usage, "\(candidate.model.provider) sends no HTTP request, so it has no batch service; run the batch with -j instead")
        }
        if let target, target.settings.name != settings.name {
            throw LLMError(.invalidInput, "this line asks for \(candidate.model), but a --batch-api job goes to one provider, and this one's is \(target.settings.name)")
        }
        let entry = BatchEntry(customID: "line-\(line.number)", body: body, path: BatchEndpoint.path(of: http.url))
        return (entry, candidate.model.description, candidate.request.options.schema, target ?? (settings, provider, http))
    }

    /// `--resume FILE`: the job record (the last `batch_job` line of FILE) is waited for
    /// and its results written.
    func resume(from path: String) async -> ExitStatus {
        do throws(LLMError) {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            guard let size, size <= Self.largestJobFile else {
                throw LLMError(.invalidInput, "\(path) is not a job record file" + (size.map { " (\($0 >> 20) MiB; a job record is far smaller)" } ?? ""))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw LLMError(.ioError, "cannot read the job record file \(path)")
            }
            let record = BatchEndpoint.lines(Array(data)).last { $0["type"] == "batch_job" }
            let job = try BatchJob(record: record ?? [:])
            guard let model = job.model else { return write(job, results: [:], parser: nil) }
            let reference = try ModelReference.resolve(model, config: completer.config)
            guard reference.provider == job.provider else {
                throw LLMError(.invalidInput, "the job record's provider \(job.provider) is not its requests' (\(reference.provider))")
            }
            let provider = try completer.factory.provider(for: reference)
            let settings = try completer.factory.settings(for: reference)
            guard let http = try provider.httpRequest(for: CompletionRequest(model: reference, messages: [.user("")]), stream: false) else {
                throw LLMError(.usage, "\(job.provider) has no batch service")
            }
            let service = try Self.service(settings, http)
            return await wait(job, service: service, provider: provider)
        } catch {
            return tool.fail(error, writeRecord: error.kind != .usage)
        }
    }

    private static func service(_ settings: ProviderSettings, _ http: HTTPRequest) throws(LLMError) -> any BatchService {
        let model = ModelReference(provider: settings.name, name: "batch")
        guard let service = try BatchServices.service(for: settings, http: http, model: model) else {
            throw LLMError(.usage, "provider \(settings.name) (type \(settings.format)) has no batch service; --batch-api works with OpenAI-compatible "
                           + "and Anthropic providers that offer one. Run the batch with -j instead")
        }
        return service
    }

    /// Polls until the job ends, saying its progress on stderr when it changes.
    private func wait(_ job: BatchJob, service: any BatchService, provider: any Provider) async -> ExitStatus {
        tool.inFlight.waiting(on: job.record)
        let deadline = ContinuousClock.now + .seconds(Self.longestWait)
        var said = ""
        do throws(LLMError) {
            while true {
                // A day-long job outlives a blip: a poll is retried as a request is.
                let progress = try await completer.retry.run { () async throws(LLMError) -> BatchProgress in try await service.poll(job.id) }
                if progress.summary != said {
                    log.note("batch " + progress.summary)
                    said = progress.summary
                }
                if progress.ended {
                    let results = try await completer.retry.run { () async throws(LLMError) -> [String: BatchOutcome] in try await service.results(of: progress) }
                    return write(job, results: results, service: service, parser: provider as? any HTTPChatProvider)
                }
                guard ContinuousClock.now < deadline else {
                    throw LLMError(.timeout, "batch \(job.id) has not ended after \(Int(Self.longestWait / 3600)) hours; collect it later with --resume")
                }
                do {
                    try await Task.sleep(for: .seconds(tool.settings.pollInterval))
                } catch {
                    throw LLMError(.interrupted, "stopped while waiting for batch \(job.id)")
                }
            }
        } catch {
            // The job runs on at the provider: its record is what collects it later.
            if !tool.settings.textOutput { try? tool.output.write(job.record) }
            log.note("batch \(job.id) is still at \(job.provider): collect it with --resume FILE, FILE holding the batch_job record" + (tool.settings.textOutput ? " (run with --detach, or without -t, to get it)" : " just written"))
            return tool.fail(error, writeRecord: true)
        }
    }

    /// A job record names each line: some tens of bytes a request, so 256 MiB is millions.
    static let largestJobFile = 256 << 20

    /// Providers end a batch within a day; past two, something is wrong.
    static let longestWait = 48.0 * 3600

    /// Every line in input order: pass-through records as they were, each request's
    /// reply or error as `-j` writes it.
    private func write(_ job: BatchJob, results: [String: BatchOutcome], service: (any BatchService)? = nil, parser: (any HTTPChatProvider)?) -> ExitStatus {
        var firstFailure: ExitStatus?
        func note(_ error: LLMError) { if firstFailure == nil { firstFailure = error.exitStatus } }
        do throws(LLMError) {
            for line in job.lines {
                switch line {
                case .passThrough(let raw):
                    // From a job file, which anyone may have edited: one line stays one line.
                    guard !raw.contains(where: \.isNewline) else { throw LLMError(.invalidInput, "the job record holds a passed-through line with a line break in it") }
                    if !tool.settings.textOutput { try tool.output.writeLine(Array(raw.utf8)) }
                case .failed(let idKey, let id, let error):
                    try writeResult([idKey: id ?? .null, "error": .object(error)], text: nil)
                    firstFailure = firstFailure ?? Self.exitStatus(of: error)
                case .request(let customID, let idKey, let id, let model, let schema):
                    var result: JSONObject = [idKey: id ?? .null]
                    do throws(LLMError) {
                        let reply = try self.reply(results[customID], model: model, service: service, parser: parser)
                        result["message"] = .object(reply.record)
                        if let schema { try CompleteTool.check(reply, against: schema) }
                        try writeResult(result, text: CompleteTool.textLine(reply))
                    } catch {
                        log.note("request \((id?.stringValue ?? id?.serialized) ?? customID): \(error.message)")
                        result["error"] = .object(error.record.removing(["type"]))
                        note(error)
                        try writeResult(result, text: nil)
                    }
                }
            }
        } catch {
            tool.log.error(error)
            return error.exitStatus
        }
        return firstFailure ?? .success
    }

    private func writeResult(_ result: JSONObject, text: String?) throws(LLMError) {
        if tool.settings.textOutput {
            if let text { try tool.output.writeText(text) }
        } else {
            try tool.output.write(result)
        }
    }

    private func reply(_ outcome: BatchOutcome?, model: String, service: (any BatchService)?, parser: (any HTTPChatProvider)?) throws(LLMError) -> ChatMessage {
        let reference = try ModelReference.resolve(model, config: completer.config)
        guard let outcome, let service, let parser else {
            throw LLMError(.invalidReply, "the batch's results have no line for this request", model: model)
        }
        if let error = service.endpoint.error(for: outcome, model: reference) { throw error }
        guard case .reply(let body) = outcome else { throw LLMError(.internalError, "a batch result with neither reply nor error", model: model) }
        var reply = try parser.reply(from: body, for: CompletionRequest(model: reference, messages: []))
        reply.model = model
        completer.stamp(&reply)
        return reply
    }

    private static func exitStatus(of error: JSONObject) -> ExitStatus {
        error["code"]?.stringValue.flatMap(LLMError.Kind.init(rawValue:))?.exitStatus ?? .software
    }
}
