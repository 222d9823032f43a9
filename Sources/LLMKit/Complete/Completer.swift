import Foundation

/// Resolves settings, routes the conversation to its candidate models and gets the next
/// assistant message, with retries, replicas and fallbacks. Shared by every tool that asks
/// a model for a reply.
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
    /// `--fallback`, `--route`, `--offline`: the route stage's flags.
    public var router: Router
    /// `--retry-partial`: a stream cut short is started over (on the next attempt or
    /// fallback) instead of kept; `onRestart` tells the output so.
    public var retryPartial = false
    /// The replicas of every provider with a list of `api_base`s, shared by every request
    /// of this run so that `-j` spreads over them.
    public let replicas = ReplicaPools()

    public init(config: Config, factory: ProviderFactory, flags: RequestOptions, environmentOptions: RequestOptions, retry: RetryPolicy, log: Log) {
        self.config = config
        self.factory = factory
        self.flags = flags
        self.environmentOptions = environmentOptions
        self.retry = retry
        self.log = log
        self.router = Router(config: config, factory: factory)
    }

    /// A completer over the config found as every tool finds it (`configPath`, else
    /// `$LLMKIT_CONFIG`, else the XDG path), with the environment's keys registered for
    /// redaction and its `LLMKIT_*` settings below `flags`.
    /// `credentials: false` for `--dry-run`: requests are built with a stand-in key.
    public static func configured(configPath: String?, mockScript: String?, flags: RequestOptions, retries: Int,
                                  log: Log, credentials: Bool = true) throws(LLMError) -> Completer {
        let environment = Environment.current
        let config = try ConfigLoader.load(environment: environment, explicitPath: configPath)
        APIKeyResolver.registerEnvironmentKeys(config: config, environment: environment)
        return Completer(config: config, factory: ProviderFactory(config: config, environment: environment, mockScript: mockScript,
                                                                  credentials: credentials),
                         flags: flags, environmentOptions: try RequestOptions(environment: environment),
                         retry: RetryPolicy(maxRetries: retries), log: log)
    }

    /// flag > environment > in-stream `options` > config > built-in default.
    public func options(inStream: RequestOptions) -> RequestOptions {
        var options = flags.over(environmentOptions).over(inStream)
        if options.model == nil { options.model = config.defaultModel ?? ModelReference.builtinDefault }
        return options
    }

    /// The route stage: the candidates, in order, for this conversation.
    public func plan(messages: [ChatMessage], tools: [ToolDefinition], inStream: RequestOptions) throws(LLMError) -> RoutePlan {
        let options = options(inStream: inStream)
        let plan = try router.plan(asked: options.model ?? ModelReference.builtinDefault, messages: Self.applying(system: options.system, to: messages),
                                   tools: tools, options: options) { model throws(LLMError) in try checkEndpointOverride(model, options: options) }
        for line in plan.explanation { log.explain(line) }
        return plan
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

    /// One model, with its retries, over its replicas if it has several.
    public func complete(_ request: CompletionRequest, with provider: any Provider, settings: ProviderSettings? = nil) async throws(LLMError) -> ChatMessage {
        let label = request.model.description
        log.verbose {
            let url = (try? provider.httpRequest(for: request, stream: false))??.shownURL
            return "\(label): sending \(request.messages.count) message(s)" + (url.map { " to \($0)" } ?? "")
        }
        let pool = replicas.pool(for: settings, request: request, factory: factory, log: log)
        var reply = try await retry.run(onRetry: { noteRetry(label, $0, $1) }) { () async throws(LLMError) -> ChatMessage in
            do throws(LLMError) {
                guard let pool else { return try await provider.complete(request) }
                return try await pool.attempt(request) { attempt throws(LLMError) in try await provider.complete(attempt) }
            } catch {
                throw error.attributed(provider: request.model.provider, model: label)
            }
        }
        reply.model = label
        noteDone(label, reply)
        return reply
    }

    /// Streams one model's reply into `collector`. A failure is retried only while nothing
    /// has been delivered (once a piece is out, a retry would repeat it), unless
    /// `--retry-partial` says to start over.
    public func stream(_ request: CompletionRequest, with provider: any Provider, settings: ProviderSettings? = nil,
                       into collector: StreamCollector, onRestart: @Sendable (LLMError) -> Void = { _ in }) async -> StreamOutcome {
        let label = request.model.description
        log.verbose { "\(label): streaming \(request.messages.count) message(s)" }
        // The provider exists, so its key is known: pieces are scrubbed of it.
        collector.learnKeys()
        let pool = replicas.pool(for: settings, request: request, factory: factory, log: log)
        var last: StreamOutcome?
        var outcome: StreamOutcome
        do throws(LLMError) {
            outcome = try await retry.run(onRetry: { noteRetry(label, $0, $1) }) { () async throws(LLMError) -> StreamOutcome in
                if collector.receivedAnything, let error = last?.error {
                    collector.restart()
                    onRestart(error)
                }
                let attempt: StreamOutcome
                if let pool {
                    attempt = await pool.attemptStream(request, collector: collector) { await provider.stream($0, into: collector) }
                } else {
                    attempt = await provider.stream(request, into: collector)
                }
                last = attempt
                guard var error = attempt.error, retryPartial || !collector.receivedAnything else { return attempt }
                // Started over, a reply cut short is as worth retrying as one never begun.
                if retryPartial, error.kind == .streamInterrupted || ReplicaPool.isReplicaFault(error) { error.retryable = true }
                throw error
            }
        } catch {
            // Retries ran out: the last attempt's partial message, with its error.
            outcome = last ?? StreamOutcome(message: collector.message(summary: StreamSummary(), finishReason: "error"), error: error)
        }
        outcome.message.model = label
        if let error = outcome.error {
            outcome.error = error.attributed(provider: request.model.provider, model: label)
        } else {
            noteDone(label, outcome.message)
        }
        return outcome
    }

    /// When the reply came (Unix seconds, OpenAI's `created`) and the run's tag: what a
    /// month of logs is grouped by (`llm-cost --by day`, `--by tag`).
    func stamp(_ reply: inout ChatMessage) {
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
