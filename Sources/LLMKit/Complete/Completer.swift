import Foundation

/// Resolves settings, model and provider for a conversation and gets the next assistant
/// message, with retries. Shared by every tool that asks a model for a reply.
public struct Completer: Sendable {
    public var config: Config
    public var factory: ProviderFactory
    /// Command-line flags: the highest precedence.
    public var flags: RequestOptions
    /// `LLMKIT_*` variables: below flags, above anything in the input.
    public var environmentOptions: RequestOptions
    public var retry: RetryPolicy
    public var log: Log
    /// Written on every reply, for `llm-cost --by tag`: which job spent it.
    public var tag: String?

    public init(config: Config, factory: ProviderFactory, flags: RequestOptions, environmentOptions: RequestOptions, retry: RetryPolicy, log: Log) {
        self.config = config
        self.factory = factory
        self.flags = flags
        self.environmentOptions = environmentOptions
        self.retry = retry
        self.log = log
    }

    /// flag > environment > in-stream `options` > config > built-in default.
    public func options(inStream: RequestOptions) -> RequestOptions {
        var options = flags.over(environmentOptions).over(inStream)
        if options.model == nil { options.model = config.defaultModel ?? ModelReference.builtinDefault }
        return options
    }

    public func prepare(messages: [ChatMessage], tools: [ToolDefinition], inStream: RequestOptions) throws(LLMError) -> (CompletionRequest, any Provider) {
        let options = options(inStream: inStream)
        let model = try ModelReference.resolve(options.model ?? ModelReference.builtinDefault, config: config)
        try checkEndpointOverride(model, options: options)
        let provider = try factory.provider(for: model)
        let request = CompletionRequest(model: model, messages: Self.applying(system: options.system, to: messages), tools: tools, options: options)
        return (request, provider)
    }

    /// An endpoint set by flag or environment goes with the provider set there too: the
    /// input may pick another model of that provider, not another provider, whose key would
    /// then go to that endpoint.
    private func checkEndpointOverride(_ model: ModelReference, options: RequestOptions) throws(LLMError) {
        guard options.apiBase != nil, flags.model == nil, environmentOptions.model == nil else { return }
        let trusted = try ModelReference.resolve(config.defaultModel ?? ModelReference.builtinDefault, config: config)
        guard model.provider != trusted.provider else { return }
        throw LLMError(.invalidInput, "the input chose \(model), but the endpoint is set by --api-base or LLMKIT_API_BASE for "
                       + "\(trusted.provider): a \(model.provider) key would go there. Choose the model with -m or LLMKIT_MODEL")
    }

    /// The system prompt from settings replaces the conversation's own, or leads it.
    public static func applying(system: String?, to messages: [ChatMessage]) -> [ChatMessage] {
        guard let system else { return messages }
        var messages = messages
        if let index = messages.firstIndex(where: { $0.role == "system" || $0.role == "developer" }) {
            messages[index].content = .string(system)
        } else {
            messages.insert(.system(system), at: 0)
        }
        return messages
    }

    public func complete(_ request: CompletionRequest, with provider: any Provider) async throws(LLMError) -> ChatMessage {
        let label = request.model.description
        log.verbose {
            let url = (try? provider.httpRequest(for: request, stream: false))??.shownURL
            return "\(label): sending \(request.messages.count) message(s)" + (url.map { " to \($0)" } ?? "")
        }
        var reply = try await retry.run(onRetry: { noteRetry(label, $0, $1) }) { () async throws(LLMError) -> ChatMessage in
            do throws(LLMError) {
                return try await provider.complete(request)
            } catch {
                throw error.attributed(provider: request.model.provider, model: label)
            }
        }
        reply.model = label
        stamp(&reply)
        noteDone(label, reply)
        return reply
    }

    /// Streams the reply into `collector`. A failure is retried only while nothing has been
    /// delivered: once a piece is out, a retry would repeat it.
    public func stream(_ request: CompletionRequest, with provider: any Provider, into collector: StreamCollector) async -> StreamOutcome {
        let label = request.model.description
        log.verbose { "\(label): streaming \(request.messages.count) message(s)" }
        var last: StreamOutcome?
        var outcome: StreamOutcome
        do throws(LLMError) {
            outcome = try await retry.run(onRetry: { noteRetry(label, $0, $1) }) { () async throws(LLMError) -> StreamOutcome in
                let attempt = await provider.stream(request, into: collector)
                last = attempt
                if let error = attempt.error, !collector.receivedAnything { throw error }
                return attempt
            }
        } catch {
            // Retries ran out: the last attempt's partial message, with its error.
            outcome = last ?? StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
        }
        outcome.message.model = label
        stamp(&outcome.message)
        if let error = outcome.error {
            outcome.error = error.attributed(provider: request.model.provider, model: label)
        } else {
            noteDone(label, outcome.message)
        }
        return outcome
    }

    /// When the reply came (Unix seconds, OpenAI's `created`) and the run's tag: what a
    /// month of logs is grouped by (`llm-cost --by day`, `--by tag`).
    private func stamp(_ reply: inout ChatMessage) {
        reply.extra["created"] = .int(Int(Date().timeIntervalSince1970))
        if let tag { reply.extra["tag"] = .string(tag) }
    }

    /// Only with `-v`: by default a run says one line, and only when it fails.
    private func noteRetry(_ label: String, _ error: LLMError, _ wait: Double) {
        log.verbose { "\(label): \(error.message); retrying in \((wait * 10).rounded() / 10) s" }
    }

    private func noteDone(_ label: String, _ reply: ChatMessage) {
        log.verbose { "\(label): \(reply.finishReason ?? "done")" + (reply.timings?.totalMs.map { " in \(Int($0)) ms" } ?? "") }
    }

    /// The request that would be sent (streamed or not, as it really would be), as a record,
    /// with every key redacted.
    public func dryRunRecord(_ request: CompletionRequest, provider: any Provider, stream: Bool = false) throws(LLMError) -> JSONObject {
        var record: JSONObject = ["type": "http_request", "model": .string(request.model.description)]
        if let http = try provider.httpRequest(for: request, stream: stream) {
            record["method"] = .string(http.method)
            record["url"] = .string(http.shownURL)
            var headers = JSONObject()
            for header in http.headers {
                let sensitive = ["authorization", "x-api-key", "x-goog-api-key", "api-key"].contains(header.name.lowercased())
                headers[header.name] = .string(sensitive ? Self.mask(header.value) : header.value)
            }
            record["headers"] = .object(headers)
            record["body"] = http.body.flatMap { try? JSONParser.parse($0) } ?? .null
        } else {
            record["note"] = .string("the \(request.model.provider) provider sends no HTTP request")
            record["messages"] = .array(request.messages.map { .object($0.wireObject) })
        }
        return record
    }

    private static func mask(_ value: String) -> String {
        if value.hasPrefix("Bearer ") { return "Bearer " + Redactor.mask }
        return Redactor.mask
    }
}
