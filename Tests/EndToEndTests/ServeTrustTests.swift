import Foundation
import LLMKit
import Testing

/// `llm-serve` as a network service (issue 29): what a hostile web page, a slow client and a
/// curious user can and cannot do to a default server. Each was seen failing first.
@Suite(.serialized) struct ServeTrustTests {
    static func body(_ agent: String, user: String? = nil, messages: [JSONValue] = [["role": "user", "content": "x"]]) -> String {
        var object: JSONObject = ["model": .string(agent), "messages": .array(messages)]
        if let user { object["user"] = .string(user) }
        return JSONValue.object(object).serialized
    }

    /// An agent with a system prompt that answers with the role and text of every message
    /// it was given, as a JSON list of pairs.
    static let rolesAgent = """
        agents:
          - name: roles
            command: [python3, -c, "import json,sys; ms=[json.loads(l) for l in sys.stdin if l.strip()]; print(json.dumps({'role':'assistant','content':json.dumps([[m.get('role'),m.get('content')] for m in ms if m.get('role')])}))"]
            system: the operator's prompt
        """

    /// One agent, `one`, answered in process by mock/echo.
    static let echoAgent = "agents:\n  - name: one\n    model: mock/echo\n"

    static func errorBody(_ text: String) -> JSONObject? {
        (try? JSONParser.parse(text))?["error"]?.objectValue
    }

    /// OpenAI's error shape: an `error` object with a message, a type, a code and a param.
    static func expectOpenAIError(_ reply: (status: Int, body: String), _ status: Int, code: String? = nil,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(reply.status == status, "\(reply.body)", sourceLocation: sourceLocation)
        let error = errorBody(reply.body)
        #expect(error?["message"]?.stringValue?.isEmpty == false, "\(reply.body)", sourceLocation: sourceLocation)
        #expect(error?["type"]?.stringValue != nil, "\(reply.body)", sourceLocation: sourceLocation)
        #expect(error?.keys.contains("param") == true, "\(reply.body)", sourceLocation: sourceLocation)
        if let code { #expect(error?["code"]?.stringValue == code, "\(reply.body)", sourceLocation: sourceLocation) }
    }

    // MARK: Browser defences

    @Test func aWebPageCannotDriveADefaultServer() throws {
        let marker = Paths.temporaryDirectory().appendingPathComponent("ran").path
        let server = try ServeProcess(agents: """
            agents:
              - name: tools
                command: \(ServeTests.shell("touch \(marker); " + ServeTests.record(["role": "assistant", "content": "ran"])))
            """)
        let port = server.port
        let page = Self.body("tools", user: "victim")
        // DNS rebinding: the page's own name, now pointing at 127.0.0.1.
        let rebound = try server.curl("/v1/chat/completions", body: page, headers: ["Host: attacker.example:\(port)", "Origin: http://attacker.example:\(port)"],
                                      contentType: "text/plain")
        Self.expectOpenAIError(rebound, 421)
        let reboundModels = try server.curl("/v1/models", headers: ["Host: attacker.example:\(port)"])
        Self.expectOpenAIError(reboundModels, 421)
        #expect(!reboundModels.body.contains("\"tools\""))
        // A cross-site form or fetch: the Host is right, the Origin is not ours to trust.
        let crossSite = try server.curl("/v1/chat/completions", body: page, headers: ["Origin: http://attacker.example"], contentType: "text/plain")
        Self.expectOpenAIError(crossSite, 403)
        let crossSiteJSON = try server.curl("/v1/chat/completions", body: page, headers: ["Origin: http://attacker.example"])
        Self.expectOpenAIError(crossSiteJSON, 403)
        #expect(try server.curl("/v1/models", headers: ["Origin: null"]).status == 403)
        // Not JSON: what a page can send without a preflight.
        Self.expectOpenAIError(try server.curl("/v1/chat/completions", body: page, contentType: "text/plain"), 415)
        Self.expectOpenAIError(try server.curl("/v1/chat/completions", body: page, contentType: "application/x-www-form-urlencoded"), 415)
        #expect(!FileManager.default.fileExists(atPath: marker), "the agent ran for a web page")
        // The server's own names still work, and so does a plain client.
        #expect(try server.curl("/v1/chat/completions", body: page, headers: ["Host: localhost:\(port)"]).status == 200)
        #expect(try server.curl("/v1/models", headers: ["Host: [::1]:\(port)"]).status == 200)
        #expect(try server.curl("/v1/chat/completions", body: page, contentType: "application/json; charset=utf-8").status == 200)
    }

    @Test func anAllowedHostIsServed() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent, arguments: ["--allow-host", "llm.internal.example"])
        #expect(try server.curl("/v1/models", headers: ["Host: llm.internal.example:\(server.port)"]).status == 200)
        #expect(try server.curl("/v1/models", headers: ["Host: other.example"]).status == 421)
    }

    @Test func aListedOriginGetsCORSAfterARealPreflight() throws {
        let origin = "http://app.example:3000"
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent, arguments: ["--cors-origin", origin])
        // What a browser sends before a cross-origin JSON POST with a key.
        let preflight = try #require(server.curlWithHeaders("/v1/chat/completions", headers: [
            "Origin: \(origin)", "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, content-type",
        ], method: "OPTIONS"))
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == origin)
        #expect(preflight.headers["access-control-allow-methods"]?.contains("POST") == true)
        let allowed = preflight.headers["access-control-allow-headers"]?.lowercased() ?? ""
        #expect(allowed.contains("authorization") && allowed.contains("content-type"), "\(preflight.headers)")
        #expect(preflight.headers["vary"]?.lowercased().contains("origin") == true)
        let post = try #require(server.curlWithHeaders("/v1/chat/completions", body: Self.body("one"), headers: ["Origin: \(origin)"]))
        #expect(post.status == 200)
        #expect(post.headers["access-control-allow-origin"] == origin)
        // Another page gets neither.
        let other = try #require(server.curlWithHeaders("/v1/chat/completions", headers: [
            "Origin: http://attacker.example", "Access-Control-Request-Method: POST",
        ], method: "OPTIONS"))
        #expect(other.status == 403)
        #expect(other.headers["access-control-allow-origin"] == nil)
    }

    // MARK: Slow clients

    @Test func halfSentConnectionsAreClosedAndARealClientIsAnsweredAllAlong() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent,
                                      arguments: ["--header-timeout", "2", "--max-connections", "400"])
        let result = try run("/usr/bin/env", ["python3", Paths.fixture("slow_clients.py").path, String(server.port), "300", "4.5",
                                              String(server.process.processIdentifier), "one"], stdin: nil, timeout: 60)
        let report = try JSONParser.parse(result.stdout)
        #expect(report["failures"] == [], "\(result.stdout) \(result.stderr)")
        #expect((report["slowest"]?.doubleValue ?? 99) < 2, "\(result.stdout)")
        #expect(report["closed"]?.intValue == 300, "\(result.stdout)")
        #expect((report["descriptors"]?.intValue ?? 9999) < 400, "\(result.stdout)")
    }

    @Test func aFullServerRefusesNewConnectionsAndServesThoseItHas() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent, arguments: ["--max-connections", "4"])
        let script = """
            import json, socket, sys, time
            port = int(sys.argv[1])
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
            time.sleep(0.3)
            extra = socket.create_connection(("127.0.0.1", port), timeout=5)
            extra.sendall(b"GET /health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")
            refused = extra.recv(4096).decode(errors="replace")
            # One of those it has is still served.
            held[0].sendall(b"GET /health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")
            served = held[0].recv(4096).decode(errors="replace")
            for s in held: s.close()
            time.sleep(0.3)
            again = socket.create_connection(("127.0.0.1", port), timeout=5)
            again.sendall(b"GET /health HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n")
            later = again.recv(4096).decode(errors="replace")
            print(json.dumps({"refused": refused.split("\\r\\n")[0], "served": served.split("\\r\\n")[0], "later": later.split("\\r\\n")[0]}))
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, String(server.port)], stdin: nil, timeout: 30)
        let report = try JSONParser.parse(result.stdout)
        #expect(report["refused"]?.stringValue?.hasPrefix("HTTP/1.1 503") == true, "\(result.stdout)\(result.stderr)")
        #expect(report["served"]?.stringValue?.hasPrefix("HTTP/1.1 200") == true, "\(result.stdout)")
        #expect(report["later"]?.stringValue?.hasPrefix("HTTP/1.1 200") == true, "\(result.stdout)")
    }

    @Test func connectionLimitsAreFlagsWithDefaults() throws {
        let help = try run("llm-serve", ["--help"], stdin: nil).stdout
        for flag in ["--header-timeout", "--body-timeout", "--idle-timeout", "--max-connections", "--allow-host", "--cors-origin"] {
            #expect(help.contains(flag), "\(flag) is not in --help")
        }
    }

    // MARK: Errors

    @Test func noErrorBodyNamesTheServersHostsPathsOrVariables() throws {
        let directory = Paths.temporaryDirectory()
        let secretPath = directory.appendingPathComponent("private/agents").path
        let server = try ServeProcess(agents: """
            agents:
              - name: down
                model: llamacpp/any
              - name: nokey
                model: openai/gpt-4o-mini
              - name: says
                command: \(ServeTests.shell(ServeTests.record(["type": "error", "code": "connection_failed", "message": .string("cannot reach http://10.1.2.3:8080/v1 from \(secretPath) (CORP_KEY)")]) + "; exit 69"))
            """, environment: ["LLMKIT_API_BASE": "http://127.0.0.1:9/v1"], directory: directory)
        for agent in ["down", "nokey", "says"] {
            let reply = try server.curl("/v1/chat/completions", body: Self.body(agent))
            #expect(reply.status >= 500, "\(agent): \(reply.body)")
            for secret in ["127.0.0.1", ":9", "10.1.2.3", "8080", "http://", directory.path, "OPENAI_API_KEY", "CORP_KEY", "LLMKIT_API_BASE"] {
                #expect(!reply.body.contains(secret), "\(agent): \(reply.body) names \(secret)")
            }
            let stream = try server.curl("/v1/chat/completions", body: Self.body(agent).replacingOccurrences(of: "{\"model\"", with: "{\"stream\":true,\"model\""))
            for secret in ["127.0.0.1", "10.1.2.3", "http://", directory.path, "OPENAI_API_KEY", "CORP_KEY"] {
                #expect(!stream.body.contains(secret), "\(agent), streamed: \(stream.body) names \(secret)")
            }
        }
        // The operator still learns what happened.
        #expect(server.log.contains("10.1.2.3:8080"), "\(server.log)")
        #expect(server.log.contains("OPENAI_API_KEY"), "\(server.log)")
    }

    @Test func unknownRoutesAndMethodsGetOpenAIErrors() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent)
        Self.expectOpenAIError(try server.curl("/v1/nothing"), 404)
        Self.expectOpenAIError(try server.curl("/v1/nothing", body: "{}"), 404)
        let wrongMethod = try #require(server.curlWithHeaders("/v1/chat/completions"))
        Self.expectOpenAIError((wrongMethod.status, wrongMethod.body), 405)
        #expect(wrongMethod.headers["allow"]?.contains("POST") == true)
        Self.expectOpenAIError(try server.curl("/v1/chat/completions", body: Self.body("nobody")), 404, code: "model_not_found")
    }

    @Test(.enabled(if: ServeTests.sdk)) func theOpenAISDKAndLiteLLMSeeAnUnknownAgentAsNotFound() throws {
        let server = try ServeProcess(agents: "agents:\n  - name: team/one\n    model: mock/echo\n    description: echoes\n")
        let sdk = try server.sdk("error", model: "nobody", prompt: "x")
        #expect(sdk["exception"] == "NotFoundError", "\(sdk)")
        let model = try server.sdk("retrieve", model: "team/one", prompt: "")
        #expect(model["id"] == "team/one" && model["object"] == "model", "\(model)")
        let litellm = try server.sdk("litellm-error", model: "nobody", prompt: "x")
        #expect(litellm["exception"] == "NotFoundError", "\(litellm)")
        let missing = try server.curl("/v1/models/nobody")
        Self.expectOpenAIError(missing, 404, code: "model_not_found")
    }

    // MARK: The access log

    @Test func everyRequestHasALogLine() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent,
                                      arguments: ["--api-key-env", "K", "--log-format", "json"], environment: ["K": "serve-key-0123456789abcdef"])
        let key = "Authorization: Bearer serve-key-0123456789abcdef"
        _ = try server.curl("/v1/models", headers: [key])
        _ = try server.curl("/v1/models")
        _ = try server.curl("/v1/nothing", headers: [key])
        _ = try server.curl("/health")
        _ = try server.curl("/v1/chat/completions", body: Self.body("one"), headers: [key])
        _ = try server.curl("/v1/chat/completions", body: Self.body("one"), headers: [key], contentType: "text/plain")
        usleep(200_000)
        let lines = server.log.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }.filter { $0["path"] != nil }
        let seen = lines.map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "") \($0["status"]?.intValue ?? 0)" }
        #expect(seen == ["GET /v1/models 200", "GET /v1/models 401", "GET /v1/nothing 404", "GET /health 200",
                         "POST /v1/chat/completions 200", "POST /v1/chat/completions 415"], "\(server.log)")
    }

    // MARK: Replies

    @Test func unknownUsageIsLeftOutAndStepsShowInBothForms() throws {
        let call: JSONObject = ["role": "assistant", "content": .null,
                                "tool_calls": [["id": "c1", "type": "function", "function": ["name": "look", "arguments": "{}"]]]]
        let result: JSONObject = ["role": "tool", "tool_call_id": "c1", "content": "seen"]
        let answer: JSONObject = ["role": "assistant", "content": "done"]
        let script = [call, result, answer].map(ServeTests.record).joined(separator: "; ")
        let server = try ServeProcess(agents: """
            agents:
              - name: stepper
                command: \(ServeTests.shell(script))
                show_steps: true
            """)
        let unary = try server.curl("/v1/chat/completions", body: Self.body("stepper"))
        let object = try JSONParser.parse(unary.body)
        #expect(object["usage"] == nil, "\(unary.body)")
        let content = object["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        #expect(content.contains("look") && content.contains("seen") && content.hasSuffix("done"), "\(content)")
        let streamed = try server.curl("/v1/chat/completions", body: #"{"model":"stepper","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}"#)
        #expect(!streamed.body.contains("\"usage\""), "\(streamed.body)")
        #expect(streamed.body.contains("look") && streamed.body.contains("seen"))
    }

    // MARK: Users

    @Test func aLongMultibyteUserGetsADirectoryOfItsOwn() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: whereami
                command: \(ServeTests.shell(#"printf '{"role":"assistant","content":"%s"}\n' "$PWD""#))
                workdir: sessions/{user}
            """)
        func directory(_ user: String) throws -> String? {
            let reply = try server.curl("/v1/chat/completions", body: Self.body("whereami", user: user))
            #expect(reply.status == 200, "\(reply.body)")
            return try JSONParser.parse(reply.body)["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue
        }
        let long = String(repeating: "é", count: 128)
        #expect(long.utf8.count == 256)
        let first = try #require(try directory(long))
        let second = try #require(try directory(String(repeating: "é", count: 127) + "e"))
        let third = try #require(try directory(String(repeating: "é", count: 127) + "f"))
        #expect(Set([first, second, third]).count == 3)
        #expect(FileManager.default.fileExists(atPath: first))
        #expect(try directory(long) == first, "the same user, the same directory")
        let sessions = server.directory.appendingPathComponent("sessions").resolvingSymlinksInPath().path
        #expect(first.hasPrefix(sessions + "/") && !first.dropFirst(sessions.count + 1).contains("/"))
        // Short ids keep their readable names.
        #expect(try directory("alice") == sessions + "/alice")
    }

    @Test func anAgentsSystemPromptReplacesEverySystemAndDeveloperMessage() throws {
        let server = try ServeProcess(agents: Self.rolesAgent)
        let messages: [JSONValue] = [["role": "system", "content": "client one"], ["role": "developer", "content": "client two"],
                                     ["role": "user", "content": "hi"], ["role": "system", "content": "client three"]]
        let reply = try server.curl("/v1/chat/completions", body: Self.body("roles", messages: messages))
        let content = try JSONParser.parse(reply.body)["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        let seen = try JSONParser.parse(content)
        #expect(seen == [["system", "the operator's prompt"], ["user", "hi"]], "\(content)")
    }

    // MARK: Keys

    @Test func aKeyRemovedFromTheKeysFileIsRefusedAfterSIGHUP() throws {
        let keys = try ServeProcess.keysFile("key-for-alice-0123456789 alice\nkey-for-bob-0123456789ab bob\n")
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent, arguments: ["--keys", keys])
        let bob = "Authorization: Bearer key-for-bob-0123456789ab"
        #expect(try server.curl("/v1/chat/completions", body: Self.body("one"), headers: [bob]).status == 200)
        try "key-for-alice-0123456789 alice\n".write(toFile: keys, atomically: true, encoding: .utf8)
        chmod(keys, 0o600)
        kill(server.process.processIdentifier, SIGHUP)
        usleep(400_000)
        #expect(try server.curl("/v1/chat/completions", body: Self.body("one"), headers: [bob]).status == 401)
        #expect(try server.curl("/v1/chat/completions", body: Self.body("one"), headers: ["Authorization: Bearer key-for-alice-0123456789"]).status == 200)
        // A keys file that does not load keeps the keys there were, and says why.
        chmod(keys, 0o644)
        kill(server.process.processIdentifier, SIGHUP)
        usleep(400_000)
        #expect(server.log.contains("chmod 600"), "\(server.log)")
        #expect(try server.curl("/v1/chat/completions", body: Self.body("one"), headers: ["Authorization: Bearer key-for-alice-0123456789"]).status == 200)
    }

    // MARK: The README

    /// The README's agents file, as written, served from another folder: the command's
    /// relative tools file is the agents file's neighbour, not the user's directory's.
    @Test func theREADMEsAgentsFileRunsAsWritten() throws {
        let readme = try String(contentsOf: Paths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```yaml\n# agents.yaml\n"))
        let end = try #require(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        let agents = String(readme[start.upperBound..<end.lowerBound])
        let folder = Paths.temporaryDirectory()
        let fake = try FakeServer()
        try "tools:\n  - name: now\n    description: The time\n    command: [date]\n".write(to: folder.appendingPathComponent("tools.yaml"), atomically: true, encoding: .utf8)
        let elsewhere = Paths.temporaryDirectory()
        let server = try ServeProcess(agents: agents, environment: ["LLMKIT_API_BASE": fake.baseURL, "OPENAI_API_KEY": "sk-test-0123456789abcdef"],
                                      directory: folder, workingDirectory: elsewhere)
        let reply = try server.curl("/v1/chat/completions", body: Self.body("researcher", user: "ada"))
        #expect(reply.status == 200, "\(reply.body)\n\(server.log)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("sessions/ada").path))
        let summary = try server.curl("/v1/chat/completions", body: Self.body("summarizer"))
        #expect(summary.status == 200, "\(summary.body)\n\(server.log)")
    }
}

/// What the adversarial pass over the first version found (helper review, issue 29), each
/// seen failing first.
@Suite(.serialized) struct ServeTrustReviewTests {
    static func raw(_ port: Int, _ request: String) throws -> String {
        let script = """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            s.sendall(sys.argv[2].encode())
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk: break
                    data += chunk
            except socket.timeout:
                pass
            sys.stdout.write(data.decode(errors="replace"))
            """
        return try run("/usr/bin/env", ["python3", "-c", script, String(port), request], stdin: nil, timeout: 30).stdout
    }

    @Test func aClientThatStopsReadingAStreamLosesItsSlot() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: big
                command: [python3, -c, "import sys,json; sys.stdin.read(); line=json.dumps({'type':'delta','content':'x'*1000}); [print(line) for _ in range(20000)]; print(json.dumps({'role':'assistant','content':'done'}))"]
              - name: ok
                model: mock/echo
            """, arguments: ["--max-concurrent", "1", "--idle-timeout", "2"])
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        reader.arguments = ["python3", "-c", """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", int(sys.argv[1])))
            body = b'{"model":"big","stream":true,"messages":[{"role":"user","content":"x"}]}'
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
            s.recv(100)
            time.sleep(30)
            """, String(server.port)]
        try reader.run()
        defer { kill(reader.processIdentifier, SIGKILL); reader.waitUntilExit() }
        usleep(1_000_000)
        var statuses: [Int] = []
        for _ in 0..<8 {
            statuses.append(try server.curl("/v1/chat/completions", body: ServeTrustTests.body("ok")).status)
            if statuses.last == 200 { break }
            usleep(1_000_000)
        }
        #expect(statuses.last == 200, "the reader that stopped still holds the only slot: \(statuses)")
    }

    @Test func aUserAKeyIsBoundToCannotBeClaimedWithAnotherKey() throws {
        let keys = try ServeProcess.keysFile("key-for-alice-0123456789 alice\nkey-for-webui-0123456789\n")
        let server = try ServeProcess(agents: ServeTests.whoAgent, arguments: ["--keys", keys])
        let webui = "Authorization: Bearer key-for-webui-0123456789"
        let byHeader = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("who"), headers: [webui, "X-OpenWebUI-User-Id: alice"])
        #expect(byHeader.status == 403, "\(byHeader.body)")
        let byBody = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("who", user: "alice"), headers: [webui])
        #expect(byBody.status == 403, "\(byBody.body)")
        let alice = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("who"), headers: ["Authorization: Bearer key-for-alice-0123456789"])
        #expect((try? JSONParser.parse(alice.body))?["choices"]?.arrayValue?.first?["message"]?["content"] == "alice")
        // An empty header names nobody: the body's user stands.
        let empty = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("who", user: "bob"), headers: [webui, "X-OpenWebUI-User-Id;"])
        #expect((try? JSONParser.parse(empty.body))?["choices"]?.arrayValue?.first?["message"]?["content"] == "bob", "\(empty.body)")
    }

    @Test func aRequestWhoseClientLeftIsStillLogged() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: slow
                command: \(ServeTests.shell("sleep 2; " + ServeTests.record(["role": "assistant", "content": "late"])))
            """)
        _ = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("slow"), timeout: 0.5)
        usleep(3_000_000)
        #expect(server.log.contains("path=/v1/chat/completions"), "\(server.log)")
    }

    @Test func aMalformedRequestGetsAnOpenAIErrorAndALogLine() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent)
        let garbage = try Self.raw(server.port, "GARBAGE\r\n\r\n")
        #expect(garbage.hasPrefix("HTTP/1.1 400"), "\(garbage)")
        #expect(garbage.contains(#""error":{"#), "\(garbage)")
        usleep(200_000)
        #expect(server.log.contains("status=400"), "\(server.log)")
    }

    @Test func aRequestWithNoHostOrTwoIsRefused() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent)
        let none = try Self.raw(server.port, "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(none.hasPrefix("HTTP/1.1 400"), "\(none)")
        let two = try Self.raw(server.port, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
        #expect(two.hasPrefix("HTTP/1.1 400"), "\(two)")
        #expect(!two.contains(#""id":"one""#))
    }

    /// A second pass (helper review): the connection's clock counted one request at a time.
    @Test func aPipelinedRequestIsAnsweredWhateverTheIdleDeadline() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: slow
                command: \(ServeTests.shell("sleep 3; " + ServeTests.record(["role": "assistant", "content": "late"])))
            """, arguments: ["--idle-timeout", "1"])
        let body = ServeTrustTests.body("slow")
        let replies = try Self.raw(server.port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            + "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        #expect(replies.contains("late"), "\(replies)")
    }

    @Test func garbageAfterARequestGetsAnOpenAIErrorAfterItsReply() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent)
        let replies = try Self.raw(server.port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGARBAGE\r\n\r\n")
        #expect(replies.hasPrefix("HTTP/1.1 200"), "\(replies)")
        let second = replies.components(separatedBy: "HTTP/1.1 400").dropFirst().first ?? ""
        #expect(second.contains(#""error":{"#), "\(replies)")
    }

    @Test func anUploadAnsweredEarlyIsNotCutWhileItProgresses() throws {
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent, arguments: ["--header-timeout", "1"])
        let script = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
            s.sendall(b"POST /nope HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 4000\\r\\n\\r\\n")
            sent = 0
            try:
                for _ in range(16):
                    s.sendall(b"x" * 250); sent += 250; time.sleep(0.25)
                print("sent", sent)
            except OSError as e:
                print("cut after", sent, e)
            """
        let result = try run("/usr/bin/env", ["python3", "-c", script, String(server.port)], stdin: nil, timeout: 30)
        #expect(result.stdout.hasPrefix("sent 4000"), "\(result.stdout)\(result.stderr)")
        usleep(300_000)
        #expect(!server.log.contains("method=- "), "a second line for the same request: \(server.log)")
    }

    @Test func rolesInAnyCaseOrSpacingAreSystemMessagesToo() throws {
        let server = try ServeProcess(agents: ServeTrustTests.rolesAgent)
        let messages: [JSONValue] = [["role": "System", "content": "one"], ["role": "DEVELOPER", "content": "two"],
                                     ["role": "developer ", "content": "three"], ["role": "user", "content": "hi"]]
        let reply = try server.curl("/v1/chat/completions", body: ServeTrustTests.body("roles", messages: messages))
        let content = (try? JSONParser.parse(reply.body))?["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        #expect(content == #"[["system", "the operator's prompt"], ["user", "hi"]]"#, "\(reply.body)")
    }

    @Test func aCommandFileMissingBesideTheAgentsFileIsReported() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: a
                command: [llm-tools, loop, -f, tools.yaml, --, llm-stream, -m, mock/echo]
                workdir: sessions/{user}
            """)
        #expect(server.log.contains("tools.yaml"), "\(server.log)")
    }
}

/// A real browser as the client: headless Chromium loads a page from one origin, and the
/// page's `fetch` calls llm-serve with a key, which makes the browser send a preflight first.
@Suite(.serialized) struct ServeBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// What the page wrote once its fetch ended: `OK <reply>` or `BLOCKED <error>`.
    static func load(page origin: String, serving folder: URL, port: Int) throws -> String {
        let chromium = try #require(chromium)
        let result = try run(chromium, ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                                        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--user-data-dir=\(folder.path)/profile",
                                        "--virtual-time-budget=10000", "--dump-dom", "\(origin):\(port)/page.html"], stdin: nil, timeout: 90)
        let dom = result.stdout
        guard let start = dom.range(of: "<pre id=\"out\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            return "no page: \(result.stderr.suffix(500))"
        }
        return String(dom[start.upperBound..<end.lowerBound])
    }

    @Test(.enabled(if: chromium != nil)) func aPageFromAListedOriginCallsTheServerAndOthersCannot() throws {
        let key = "serve-key-0123456789abcdef"
        let folder = Paths.temporaryDirectory()
        let pages = try FakeServer(script: "static_pages.py", arguments: ["--root", folder.path])
        let server = try ServeProcess(agents: ServeTrustTests.echoAgent,
                                      arguments: ["--api-key-env", "K", "--cors-origin", "http://127.0.0.1:\(pages.port)"], environment: ["K": key])
        try """
            <html><body><pre id="out">waiting</pre><script>
            fetch("http://127.0.0.1:\(server.port)/v1/chat/completions", {method: "POST",
                  headers: {"Content-Type": "application/json", "Authorization": "Bearer \(key)"},
                  body: JSON.stringify({model: "one", messages: [{role: "user", content: "from a browser"}]})})
              .then(r => r.json()).then(j => { document.getElementById("out").textContent = "OK " + j.choices[0].message.content })
              .catch(e => { document.getElementById("out").textContent = "BLOCKED " + e });
            </script></body></html>
            """.write(to: folder.appendingPathComponent("page.html"), atomically: true, encoding: .utf8)
        let listed = try Self.load(page: "http://127.0.0.1", serving: folder, port: pages.port)
        #expect(listed == "OK from a browser", "\(listed)\n\(server.log)")
        #expect(server.log.contains("method=OPTIONS path=/v1/chat/completions status=204"), "no preflight: \(server.log)")
        // The same page from another origin (localhost is another host to a browser).
        let other = try Self.load(page: "http://localhost", serving: folder, port: pages.port)
        #expect(other.hasPrefix("BLOCKED"), "\(other)")
        #expect(server.log.contains("method=OPTIONS path=/v1/chat/completions status=403"), "\(server.log)")
    }
}
