import Foundation
import HTTPTypes
import Hummingbird
import LLMKit
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `llm-serve`: the agents of an agents file, served as OpenAI-compatible models.
public struct AgentServer: Sendable {
    let settings: ServeSettings
    let catalog: AgentCatalog
    let completer: Completer
    let metrics = ServeMetrics()
    let started = Int(Date().timeIntervalSince1970)

    public init(settings: ServeSettings, completer: Completer) throws(LLMError) {
        if !settings.bindsLoopbackOnly, settings.keys.isEmpty, !settings.noAuth {
            throw LLMError(.usage, "\(settings.host) is reachable from other machines, and no key is set: give --api-key-env or --keys "
                           + "(or --no-auth to serve it open, knowingly)")
        }
        self.settings = settings
        self.completer = completer
        catalog = try AgentCatalog(path: settings.agentsPath)
    }

    /// Serves until SIGTERM or SIGINT, then lets requests in flight finish for `grace`
    /// seconds and ends the rest. SIGHUP reloads the agents file.
    public func run() async throws {
        let chat = ChatService(settings: settings, catalog: catalog, completer: completer, metrics: metrics,
                               accessLog: AccessLog(format: settings.logFormat, content: settings.logContent),
                               gate: RequestGate(limit: settings.maxConcurrent))
        let router = Router(context: ServeContext.self)
        router.post("/v1/chat/completions") { request, context in await chat.respond(request, context: context) }
        router.get("/v1/models") { request, _ in authorized(request) ? models() : unauthorized() }
        router.get("/health") { _, _ in json(["status": "ok", "agents": .int(catalog.current.agents.count)]) }
        router.get("/metrics") { request, _ in
            guard authorized(request) else { return unauthorized() }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        var logger = Logger(label: "llm-serve")
        logger.logLevel = settings.verbose ? .info : .warning
        let host = settings.host
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [CloseOnInputEnd()])),
            configuration: .init(address: .hostname(host, port: settings.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                StandardError.write("llm-serve: serving \(catalog.current.agents.count) agent(s) on http://\(host):\(port)/v1\n")
            },
            logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: Reloader(catalog: catalog), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(settings.grace * 1000))
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }

    private func authorized(_ request: Request) -> Bool {
        settings.keys.isEmpty || settings.keys.match(authorization: request.headers[.authorization]) != nil
    }

    private func models() -> Response {
        let data: [JSONValue] = catalog.current.agents.map { agent in
            var model: JSONObject = ["id": .string(agent.name), "object": "model", "created": .int(started), "owned_by": "llmkit"]
            model.set("description", agent.description.map(JSONValue.string))
            return .object(model)
        }
        return json(["object": "list", "data": .array(data)])
    }

    private func unauthorized() -> Response {
        json(ChatCompletionEncoder.errorBody(ChatService.unauthorized, status: 401), status: .unauthorized)
    }

    private func json(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        object.write(to: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Reloads the agents file on each SIGHUP, for as long as the server runs.
struct Reloader: Service {
    let catalog: AgentCatalog

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() { catalog.reload() }
        } onGracefulShutdown: {}
    }
}

extension AgentServer {
    /// The server library's own messages go to stderr: stdout is not ours to fill.
    public static func logToStandardError() {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }
}
