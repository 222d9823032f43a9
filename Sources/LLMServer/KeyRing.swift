import Hummingbird
import LLMKit
import Synchronization

/// The keys clients may present: `--api-key-env`'s, fixed for the server's life, and the
/// `--keys` file's, read again on SIGHUP so that a key can be revoked without a restart.
final class KeyRing: Sendable {
    private let fixed: AccessKeys
    private let file: String?
    private let keys: Mutex<AccessKeys>

    init(fixed: AccessKeys, file: String?) throws(LLMError) {
        self.fixed = fixed
        self.file = file
        keys = Mutex(try Self.load(fixed, file))
    }

    var isEmpty: Bool { keys.withLock { $0.isEmpty } }

    /// Whether a key is bound to `user`.
    func binds(user: String) -> Bool {
        !user.isEmpty && keys.withLock { $0.keys.contains { $0.user == user } }
    }

    func match(authorization: String?) -> AccessKeys.Key? {
        keys.withLock { $0.match(authorization: authorization) }
    }

    /// Reads the keys file again; one that does not load keeps the keys there were.
    func reload() {
        guard let file else { return }
        do throws(LLMError) {
            let fresh = try Self.load(fixed, file)
            keys.withLock { $0 = fresh }
            StandardError.write("llm-serve: reloaded keys from \(file): \(fresh.keys.count) key(s)\n")
        } catch {
            StandardError.write("llm-serve: \(error.message); still using the keys loaded before\n")
        }
    }

    private static func load(_ fixed: AccessKeys, _ file: String?) throws(LLMError) -> AccessKeys {
        var keys = fixed
        if let file { try keys.load(file: file) }
        return keys
    }
}

/// Every route but `/health` needs a key when the server has keys.
struct KeyCheck: RouterMiddleware {
    typealias Context = ServeContext
    let keys: KeyRing

    func handle(_ request: Request, context: ServeContext, next: (Request, ServeContext) async throws -> Response) async throws -> Response {
        guard request.uri.path != ServeRoutes.health, !keys.isEmpty else { return try await next(request, context) }
        guard let key = keys.match(authorization: request.headers[.authorization]) else { throw ClientError.invalidAPIKey }
        var context = context
        context.key = key
        return try await next(request, context)
    }
}
