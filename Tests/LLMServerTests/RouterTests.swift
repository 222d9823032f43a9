import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LLMKit
import Testing
@testable import LLMServer

/// The server's stages in process (Hummingbird's router test framework): no socket, no
/// binary, the same router `llm-serve` runs.
@Suite struct RouterTests {
    static func application(_ configure: (inout ServeSettings) -> Void = { _ in }) throws -> some ApplicationProtocol {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("router-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let agents = folder.appendingPathComponent("agents.yaml")
        try "agents:\n  - name: team/echo\n    model: mock/echo\n".write(to: agents, atomically: true, encoding: .utf8)
        var settings = ServeSettings(agentsPath: agents.path)
        configure(&settings)
        let completer = try Completer.configured(configPath: nil, mockScript: nil, flags: RequestOptions(), retries: 0,
                                                 log: Log(tool: "test", verbose: false))
        let server = try AgentServer(settings: settings, completer: completer)
        return Application(router: server.router(log: AccessLog(format: .text, content: false)))
    }

    static func error(_ response: TestResponse) -> JSONObject? {
        (try? JSONParser.parse(Array(response.body.readableBytesView)))?["error"]?.objectValue
    }

    @Test func unknownRoutesAndMethodsAnswerInOpenAIsShape() async throws {
        try await Self.application().test(.router) { client in
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(Self.error(response)?["type"] == "invalid_request_error")
            }
            try await client.execute(uri: "/v1/chat/completions", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST")
                #expect(Self.error(response)?["code"] == "method_not_allowed")
            }
            try await client.execute(uri: "/v1/models/team%2Fecho", method: .get) { response in
                #expect(response.status == .ok)
                #expect((try? JSONParser.parse(Array(response.body.readableBytesView)))?["id"] == "team/echo")
            }
        }
    }

    @Test func browsersAreHeldToTheHostOriginAndJSONRules() async throws {
        try await Self.application { $0.corsOrigins = ["https://chat.example"] }.test(.router) { client in
            let body = ByteBuffer(string: #"{"model":"team/echo","messages":[{"role":"user","content":"hi"}]}"#)
            try await client.execute(uri: "/v1/models", method: .get, headers: [.origin: "https://evil.example"]) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "text/plain"], body: body) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/v1/chat/completions", method: .options,
                                     headers: [.origin: "https://chat.example", .accessControlRequestMethod: "POST"]) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "https://chat.example")
            }
            try await client.execute(uri: "/v1/nothing", method: .get, headers: [.origin: "https://chat.example"]) { response in
                // A listed page can read even an error.
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == "https://chat.example")
            }
        }
    }

    @Test func hostNamesAreReadAsBrowsersWriteThem() {
        let policy = BrowserPolicy(host: "0.0.0.0", allowedHosts: ["LLM.corp.example"], corsOrigins: [])
        for allowed in ["localhost:8000", "LOCALHOST", "app.localhost", "127.0.0.1:80", "[::1]:8000", "10.0.0.5", "llm.corp.example.", "llm.corp.example:443"] {
            #expect(policy.allows(host: allowed), "\(allowed)")
        }
        for refused in ["attacker.example", "127.0.0.1.attacker.example", "localhost.attacker.example", "llm.corp.example.evil", ""] {
            #expect(!policy.allows(host: refused), "\(refused)")
        }
        #expect(BrowserPolicy(host: "127.0.0.1", allowedHosts: ["*"], corsOrigins: []).allows(host: "anything.example"))
    }
}
