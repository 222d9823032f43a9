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
    let keys: KeyRing
    let completer: Completer
    let metrics = ServeMetrics()
    let started = Int(Date().timeIntervalSince1970)

    public init(settings: ServeSettings, completer: Completer) throws(LLMError) {
        keys = try KeyRing(fixed: settings.keys, file: settings.keysFile)
        if !settings.bindsLoopbackOnly, keys.isEmpty, !settings.noAuth {
            throw LLMError(.usage, "\(settings.host) is reachable from other machines, and no key is set: give --api-key-env or --keys "
                           + "(or --no-auth to serve it open, knowingly)")
        }
        self.settings = settings
        self.completer = completer
        catalog = try AgentCatalog(path: settings.agentsPath)
    }

    /// Serves until SIGTERM or SIGINT, then lets requests in flight finish for `grace`
    /// seconds and ends the rest. SIGHUP reloads the agents file and the keys file.
    public func run() async throws {
        let limits = ConnectionLimits(maxConnections: connectionCap(), header: settings.headerTimeout,
                                      body: settings.bodyTimeout, idle: settings.idleTimeout)
        var logger = Logger(label: "llm-serve")
        logger.logLevel = settings.verbose ? .info : .warning
        let host = settings.host
        let catalog = self.catalog
        let log = AccessLog(format: settings.logFormat, content: settings.logContent)
        let app = Application(
            router: router(log: log),
            server: .guardedHTTP1(configuration: .init(additionalChannelHandlers: [CloseOnInputEnd()]), limits: limits, log: log),
            configuration: .init(address: .hostname(host, port: settings.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                StandardError.write("llm-serve: serving \(catalog.current.agents.count) agent(s) on http://\(host):\(port)/v1\n")
            },
            logger: logger)
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: app), .init(service: Reloader(catalog: catalog, keys: keys), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(settings.grace * 1000))
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }

    /// The routes, behind the stages every request passes: the access log (which renders
    /// every error), the browser guard, then the key check. Middleware applies to the routes
    /// added after it, so it comes first.
    func router(log: AccessLog) -> Hummingbird.Router<ServeContext> {
        let chat = ChatService(settings: settings, catalog: catalog, completer: completer, metrics: metrics,
                               gate: RequestGate(limit: settings.maxConcurrent), keys: keys)
        let router = Hummingbird.Router(context: ServeContext.self)
        router.add(middleware: RequestLogMiddleware(log: log, routes: ServeRoutes()))
        router.add(middleware: BrowserGuard(policy: BrowserPolicy(host: settings.host, allowedHosts: settings.allowedHosts,
                                                                  corsOrigins: settings.corsOrigins)))
        router.add(middleware: KeyCheck(keys: keys))
        router.post(RouterPath(ServeRoutes.chat)) { request, context in try await chat.respond(request, context: context) }
        router.get(RouterPath(ServeRoutes.models)) { _, _ in models() }
        router.get(RouterPath(ServeRoutes.modelPrefix + "**")) { request, _ in try model(at: request.uri.path) }
        router.get(RouterPath(ServeRoutes.health)) { _, _ in json(["status": "ok", "agents": .int(catalog.current.agents.count)]) }
        router.get(RouterPath(ServeRoutes.metrics)) { [metrics] _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.text())))
        }
        return router
    }

    /// `--max-connections`, within the descriptors the process may open: each connection
    /// holds one, and each request in flight a few more for its command's pipes.
    private func connectionCap() -> Int {
        let reserve = 64 + 8 * settings.maxConcurrent
        let available = FileDescriptorIO.raiseDescriptorLimit(toward: settings.maxConnections + reserve) - reserve
        guard available < settings.maxConnections else { return settings.maxConnections }
        StandardError.write("llm-serve: --max-connections \(settings.maxConnections) is more than the descriptor limit allows; "
                            + "serving at most \(max(available, 1)) connections (raise ulimit -n)\n")
        return max(available, 1)
    }

    private func models() -> Response {
        json(["object": "list", "data": .array(catalog.current.agents.map { .object(description(of: $0)) })])
    }

    /// `GET /v1/models/{id}`: an id may hold `/`, whole or percent-encoded.
    private func model(at path: String) throws -> Response {
        let raw = String(path.dropFirst(ServeRoutes.modelPrefix.count))
        let name = raw.removingPercentEncoding ?? raw
        guard let agent = catalog.current.agent(named: name) else { throw ClientError.modelNotFound(name) }
        return json(description(of: agent))
    }

    private func description(of agent: AgentDefinition) -> JSONObject {
        var model: JSONObject = ["id": .string(agent.name), "object": "model", "created": .int(started), "owned_by": "llmkit"]
        model.set("description", agent.description.map(JSONValue.string))
        return model
    }

    private func json(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        object.write(to: &bytes)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Reloads the agents file and the keys file on each SIGHUP, for as long as the server runs.
struct Reloader: Service {
    let catalog: AgentCatalog
    let keys: KeyRing

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                catalog.reload()
                keys.reload()
            }
        } onGracefulShutdown: {}
    }
}

extension AgentServer {
    /// The server library's own messages go to stderr: stdout is not ours to fill.
    public static func logToStandardError() {
        LoggingSystem.bootstrap { label in StreamLogHandler.standardError(label: label) }
    }
}
