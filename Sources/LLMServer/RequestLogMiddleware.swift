import HTTPTypes
import Hummingbird
import LLMKit

/// The outermost stage: every request gets one access-log line, written when the request is
/// over (a stream's, when the stream ends; one whose client left, all the same), and every
/// error thrown below — the router's 404, a guard's refusal — is rendered here, once, in
/// OpenAI's shape.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = ServeContext
    let log: AccessLog
    /// The routes, for telling an unknown path (404) from a known one asked wrongly (405).
    let routes: ServeRoutes

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        let record = context.record
        record.update {
            $0.method = request.method.rawValue
            $0.path = String(request.uri.path.prefix(512))
        }
        let log = self.log
        record.whenOver { log.write($0) }
        var response: Response
        do {
            response = try await next(request, context)
            record.update { if $0.status == 0 { $0.status = response.status.code } }
        } catch {
            let failure = clientError(for: error, request: request)
            record.failed(failure)
            response = failure.response()
        }
        if !context.channel.isActive {
            record.update {
                $0.status = ClientError.clientGone.status
                $0.error = $0.error ?? ClientError.clientGone.message
            }
        }
        if let origin = record.current.corsOrigin { BrowserGuard.allowOrigin(origin, on: &response) }
        return response
    }

    private func clientError(for error: any Error, request: Request) -> ClientError {
        switch error {
        case let error as ClientError:
            return error
        case let error as HTTPError where error.status == .notFound:
            let method = request.method.rawValue, path = request.uri.path
            let allowed = routes.methods(for: path)
            return allowed.isEmpty ? .unknownRoute(method, path) : .methodNotAllowed(method, path, allowed: allowed)
        case let error as HTTPError:
            return ClientError(status: error.status.code, code: "invalid_request", message: error.body ?? error.status.reasonPhrase)
        default:
            return ClientError(status: 500, code: "internal_error", message: "llm-serve failed; its log says why", detail: "\(error)")
        }
    }
}

/// The paths the server answers, and with which methods: the router's routes and the
/// 404/405 choice are both made from these.
struct ServeRoutes: Sendable {
    static let chat = "/v1/chat/completions"
    static let models = "/v1/models"
    static let modelPrefix = models + "/"
    static let health = "/health"
    static let metrics = "/metrics"

    func methods(for path: String) -> [String] {
        switch path {
        case Self.chat: ["POST"]
        case Self.models, Self.health, Self.metrics: ["GET"]
        case _ where path.hasPrefix(Self.modelPrefix): ["GET"]
        default: []
        }
    }
}
