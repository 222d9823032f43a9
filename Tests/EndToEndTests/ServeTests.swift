import Foundation
import LLMKit
import Testing

/// `llm-serve` with real clients: the `openai` SDK (LLMKIT_TEST_PYTHON, which `make test`
/// sets to a virtual environment that has it) and curl.
@Suite(.serialized) struct ServeTests {
    static let sdk = ServeProcess.python != nil
    static let agentDir = Paths.fixture("agent").path
    static let replies = Paths.fixture("agent/replies.jsonl").path

    /// A command that answers in records, through sh: `lines` are its stdout after it has
    /// read its input.
    static func shell(_ script: String) -> String {
        "[sh, -c, \(JSONValue.string("cat > /dev/null; " + script).serialized)]"
    }

    static func record(_ object: JSONObject) -> String {
        "echo '" + object.serialized + "'"
    }

    /// An agent that answers with the user it was started for (`LLMKIT_USER`).
    static let whoAgent = """
        agents:
          - name: who
            command: \(shell(#"printf '{"role":"assistant","content":"%s"}\n' "$LLMKIT_USER""#))
        """

    @Test(.enabled(if: sdk)) func sdkReadsUnaryAndStreamedRepliesOfCommandAndInProcessAgents() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: piped
                command: [llm-stream, -m, mock/echo]
              - name: inproc
                model: mock/echo
            """)
        for agent in ["piped", "inproc"] {
            let unary = try server.sdk("unary", model: agent, prompt: "hello there")
            #expect(unary["content"] == "hello there")
            #expect(unary["finish_reason"] == "stop")
            #expect(unary["object"] == "chat.completion")
            #expect(unary["model"]?.stringValue == agent)
            let streamed = try server.sdk("stream", model: agent, prompt: "hello there")
            #expect(streamed["content"] == "hello there")
            #expect(streamed["finish_reason"] == "stop")
            #expect(streamed["usage"]?["total_tokens"]?.intValue ?? 0 > 0)
        }
    }

    @Test(.enabled(if: sdk)) func aToolUsingAgentsAnswerReachesTheSDKStreamed() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: researcher
                command: [llm-tools, loop, -f, \(Self.agentDir)/tools.yaml, --max-turns, "4", --, llm-stream, -m, mock/script, --mock-script, \(Self.replies)]
              - name: stepper
                command: [llm-tools, loop, -f, \(Self.agentDir)/tools.yaml, --max-turns, "4", --, llm-stream, -m, mock/script, --mock-script, \(Self.replies)]
                show_steps: true
            """)
        let answer = "It is 18°C and cloudy in Paris: a light jacket, and pack an umbrella."
        let streamed = try server.sdk("stream", model: "researcher", prompt: "What should I wear in Paris today?")
        #expect(streamed["content"]?.stringValue == answer)
        #expect(streamed["finish_reason"] == "stop")
        let unary = try server.sdk("unary", model: "researcher", prompt: "What should I wear in Paris today?")
        #expect(unary["content"]?.stringValue == answer)
        #expect(unary["tool_calls"] == [])
        let steps = try server.sdk("stream", model: "stepper", prompt: "What should I wear in Paris today?")
        let text = steps["content"]?.stringValue ?? ""
        #expect(text.contains("get_weather") && text.contains("18°C and cloudy in Paris") && text.hasSuffix(answer))
    }

    @Test(.enabled(if: sdk)) func sdkThroughTheFakeServer() throws {
        let fake = try FakeServer()
        let server = try ServeProcess(agents: """
            agents:
              - name: fake
                command: [llm-stream, -m, openai/gpt-4o-mini, --api-base, \(fake.baseURL)]
            """, environment: ["OPENAI_API_KEY": "sk-test-fake-0123456789"])
        let streamed = try server.sdk("stream", model: "fake", prompt: "hi there")
        #expect(streamed["content"] == "Echo: hi there")
        let unary = try server.sdk("unary", model: "fake", prompt: "hi there")
        #expect(unary["content"] == "Echo: hi there")
    }

    @Test(.enabled(if: sdk && LocalModel.base != nil)) func sdkThroughTheRealLocalModel() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: smol
                command: [llm-stream, -m, llamacpp/smollm2, --api-base, \(LocalModel.base!), --temperature, "0", --seed, "1", --max-tokens, "16"]
              - name: smol-inproc
                model: llamacpp/smollm2
            """, environment: ["LLMKIT_API_BASE": LocalModel.base!])
        let streamed = try server.sdk("stream", model: "smol", prompt: "Say hello.")
        let streamedText = streamed["content"]?.stringValue ?? ""
        #expect(streamedText.count > 0)
        #expect(streamed["chunks"]?.intValue ?? 0 > 3)
        let unary = try server.sdk("unary", model: "smol-inproc", prompt: "Say hello.")
        let unaryText = unary["content"]?.stringValue ?? ""
        #expect(unaryText.count > 0)
    }

    @Test func theFirstChunkArrivesWhileTheCommandStillRuns() throws {
        let first: JSONObject = ["type": "delta", "content": "first "]
        let last: JSONObject = ["role": "assistant", "content": "first second"]
        let server = try ServeProcess(agents: """
            agents:
              - name: slow
                command: \(Self.shell(Self.record(first) + "; sleep 2; " + Self.record(last)))
            """)
        // curl -N, with the time each line arrived.
        let script = "curl -sN http://127.0.0.1:\(server.port)/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\":\"slow\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}'"
            + " | while IFS= read -r line; do [ -n \"$line\" ] && echo \"$(date +%s.%N) $line\"; done"
        let result = try run("/bin/sh", ["-c", script], stdin: nil, timeout: 30)
        let lines = result.stdout.split(separator: "\n")
        let times = lines.compactMap { Double($0.split(separator: " ").first ?? "") }
        let firstContent = try #require(lines.firstIndex { $0.contains("first ") })
        #expect(lines.last?.hasSuffix("data: [DONE]") == true)
        #expect(times.last! - times[firstContent] > 1.5, "the first text came \(times.last! - times[firstContent]) s before the end")
    }

    @Test(.enabled(if: sdk)) func twentyConcurrentStreamsLoseNoByte() throws {
        let prompt = (1...60).map { "word\($0) ünï 🙂" }.joined(separator: " ")
        let server = try ServeProcess(agents: """
            agents:
              - name: script
                command: [llm-stream, -m, mock/echo]
            """, arguments: ["--max-concurrent", "20"])
        let direct = try run("llm-stream", ["-m", "mock/echo"], stdin: JSONValue.object(["role": "user", "content": .string(prompt)]).serialized + "\n")
        let expected = direct.records.filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }.joined()
        #expect(expected == prompt)
        let results = try server.sdk("concurrent", model: "script", prompt: prompt, count: 20).arrayValue ?? []
        #expect(results.count == 20)
        for result in results { #expect(result.stringValue == expected) }
    }

    @Test func usersGetSeparateWorkingDirectories() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: whereami
                command: \(Self.shell(#"printf '{"role":"assistant","content":"%s %s"}\n' "$PWD" "$LLMKIT_USER""#))
                workdir: sessions/{user}
            """)
        func ask(_ headers: [String], body user: String? = nil) throws -> [String] {
            var body: JSONObject = ["model": "whereami", "messages": [["role": "user", "content": "x"]]]
            if let user { body["user"] = .string(user) }
            let (status, text) = try server.curl("/v1/chat/completions", body: body.serialized, headers: headers)
            #expect(status == 200)
            let content = try JSONParser.parse(text)["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
            return content.split(separator: " ").map(String.init)
        }
        let sessions = server.directory.appendingPathComponent("sessions").resolvingSymlinksInPath().path
        let alice = try ask(["X-OpenWebUI-User-Id: alice"])
        let bob = try ask(["X-OpenWebUI-User-Id: bob"])
        #expect(alice == [sessions + "/alice", "alice"])
        #expect(bob == [sessions + "/bob", "bob"])
        // A hostile id stays one segment below sessions/, and differs from its look-alikes.
        let climber = try ask([], body: "../../etc")
        #expect(climber.first?.hasPrefix(sessions + "/") == true)
        #expect(climber.first?.dropFirst(sessions.count + 1).contains("/") == false)
        #expect(try ask([], body: "a.b") != ask([], body: "a_2Eb"))
        #expect(try ask([]).last == "_anonymous")
    }

    @Test func keysAreCheckedAndNeverPassedOnOrLogged() throws {
        let secret = "serve-key-0123456789abcdef"
        let envFile = Paths.temporaryDirectory().appendingPathComponent("env.txt").path
        let server = try ServeProcess(agents: """
            agents:
              - name: env
                command: \(Self.shell("env > \(envFile); " + Self.record(["role": "assistant", "content": "ok"])))
            """, arguments: ["--api-key-env", "SERVE_KEY"], environment: ["SERVE_KEY": secret])
        let body = #"{"model":"env","messages":[{"role":"user","content":"x"}]}"#
        let none = try server.curl("/v1/chat/completions", body: body)
        #expect(none.status == 401)
        #expect(try JSONParser.parse(none.body)["error"]?["type"] == "authentication_error")
        #expect(try server.curl("/v1/chat/completions", body: body, headers: ["Authorization: Bearer \(secret)x"]).status == 401)
        #expect(try server.curl("/v1/models").status == 401)
        #expect(try server.curl("/health").status == 200)
        let good = try server.curl("/v1/chat/completions", body: body, headers: ["Authorization: Bearer \(secret)"])
        #expect(good.status == 200)
        let environment = try String(contentsOfFile: envFile, encoding: .utf8)
        #expect(!environment.contains(secret))
        #expect(environment.contains("LLMKIT_USER=_anonymous"))
        #expect(!server.log.contains(secret))
    }

    @Test func aKeyBoundToAUserIsThatUserWhateverTheHeadersSay() throws {
        let keys = try ServeProcess.keysFile("# team keys\nkey-for-carol-0123456789 carol\nkey-for-webui-0123456789\n")
        let server = try ServeProcess(agents: Self.whoAgent, arguments: ["--keys", keys])
        let body = #"{"model":"who","user":"mallory","messages":[{"role":"user","content":"x"}]}"#
        let carol = try server.curl("/v1/chat/completions", body: body, headers: ["Authorization: Bearer key-for-carol-0123456789", "X-OpenWebUI-User-Id: dave"])
        #expect(try JSONParser.parse(carol.body)["choices"]?.arrayValue?.first?["message"]?["content"] == "carol")
        let webui = try server.curl("/v1/chat/completions", body: body, headers: ["Authorization: Bearer key-for-webui-0123456789", "X-OpenWebUI-User-Id: dave"])
        #expect(try JSONParser.parse(webui.body)["choices"]?.arrayValue?.first?["message"]?["content"] == "dave")
    }

    @Test func limitsAnswer429And413And504AndACrashIs502() throws {
        let pidFile = Paths.temporaryDirectory().appendingPathComponent("pid").path
        let server = try ServeProcess(agents: """
            agents:
              - name: sleeper
                command: \(Self.shell("echo $$ > \(pidFile); " + Self.record(["type": "delta", "content": "a"]) + "; sleep 30"))
              - name: quiet
                command: \(Self.shell("sleep 30"))
                timeout: 1
              - name: crash
                command: \(Self.shell("echo this is not json; exit 3"))
              - name: fails
                command: \(Self.shell("exit 4"))
              - name: ok
                model: mock/echo
            """, arguments: ["--max-concurrent", "1", "--max-body", "2048"])
        func body(_ agent: String, stream: Bool = false) -> String {
            JSONValue.object(["model": .string(agent), "stream": .bool(stream), "messages": [["role": "user", "content": "x"]]]).serialized
        }
        // One stream holds the only slot; the next request is turned away, not queued.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        holder.arguments = ["-sN", "--max-time", "20", "http://127.0.0.1:\(server.port)/v1/chat/completions",
                             "-H", "Content-Type: application/json", "-d", body("sleeper", stream: true)]
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        var pid: Int32?
        for _ in 0..<200 where pid == nil {
            usleep(20_000)
            pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let commandPID = try #require(pid)
        let full = try server.curl("/v1/chat/completions", body: body("ok"))
        #expect(full.status == 429)
        #expect(try JSONParser.parse(full.body)["error"]?["type"] == "rate_limit_error")
        // The client leaves: its command's group is gone within a second, and the slot is free.
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        var gone = false
        for _ in 0..<50 where !gone {
            usleep(20_000)
            gone = kill(commandPID, 0) != 0
        }
        #expect(gone, "the command outlived its client")
        #expect(try server.curl("/v1/chat/completions", body: body("ok")).status == 200)

        #expect(try server.curl("/v1/chat/completions", body: String(repeating: " ", count: 4096) + body("ok")).status == 413)
        let timedOut = try server.curl("/v1/chat/completions", body: body("quiet"))
        #expect(timedOut.status == 504)
        #expect(try JSONParser.parse(timedOut.body)["error"]?["code"] == "timeout")
        let crashed = try server.curl("/v1/chat/completions", body: body("crash"))
        #expect(crashed.status == 502)
        // The client learns which agent and what kind of failure; the log, what it wrote.
        #expect(crashed.body.contains("agent crash") && crashed.body.contains("invalid_reply"), "\(crashed.body)")
        #expect(server.log.contains("not a JSON record"))
        let failed = try server.curl("/v1/chat/completions", body: body("fails", stream: true))
        #expect(failed.status == 502)
        #expect(failed.body.contains("agent fails"), "\(failed.body)")
        #expect(server.log.contains("exit status 4"))
        #expect(try server.curl("/v1/chat/completions", body: body("nobody")).status == 404)
        #expect(try server.curl("/v1/chat/completions", body: "{").status == 400)
        // Still serving, and every failure was logged and counted.
        #expect(try server.curl("/v1/chat/completions", body: body("ok")).status == 200)
        let metrics = try server.curl("/metrics").body
        #expect(metrics.contains(#"llmserve_requests_total{agent="crash",status="502"} 1"#))
        #expect(metrics.contains("llmserve_requests_in_flight 0"))
        #expect(server.log.contains("agent=quiet status=504"))
    }

    @Test func sigtermLetsRequestsInFlightFinishThenExitsZero() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: slow
                command: \(Self.shell("sleep 1.5; " + Self.record(["role": "assistant", "content": "finished"])))
            """)
        let out = Paths.temporaryDirectory().appendingPathComponent("out").path
        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/bin/sh")
        client.arguments = ["-c", "curl -s http://127.0.0.1:\(server.port)/v1/chat/completions -H 'Content-Type: application/json' -d '{\"model\":\"slow\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}' > \(out)"]
        try client.run()
        usleep(500_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(try server.curl("/health", timeout: 2).status == 0, "a new connection was accepted during shutdown")
        client.waitUntilExit()
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("finished"))
    }

    @Test func sighupReloadsAndABadFileKeepsTheOldAgents() throws {
        let server = try ServeProcess(agents: "agents:\n  - name: one\n    model: mock/echo\n")
        let file = server.directory.appendingPathComponent("agents.yaml")
        try "agents: [".write(to: file, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        usleep(300_000)
        #expect(try server.curl("/v1/models").body.contains(#""id":"one""#))
        #expect(server.log.contains("still serving the agents loaded before"))
        try "agents:\n  - name: two\n    model: mock/echo\n".write(to: file, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        usleep(300_000)
        let models = try server.curl("/v1/models").body
        #expect(models.contains(#""id":"two""#) && !models.contains(#""id":"one""#))
    }

    @Test func aNonLoopbackAddressWithoutAKeyIsRefused() throws {
        let agents = Paths.temporaryDirectory().appendingPathComponent("agents.yaml")
        try "agents:\n  - name: one\n    model: mock/echo\n".write(to: agents, atomically: true, encoding: .utf8)
        let result = try run("llm-serve", ["-f", agents.path, "--host", "0.0.0.0", "--port", "0"], stdin: nil, timeout: 10)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--no-auth"))
    }
}

/// Holes the adversarial pass found (helper review of issue 13), each shown failing first.
@Suite(.serialized) struct ServeHardeningTests {
    static func body(_ agent: String) -> String {
        JSONValue.object(["model": .string(agent), "messages": [["role": "user", "content": "x"]]]).serialized
    }

    @Test func aClientThatNeverFinishesItsBodyHoldsNoSlot() throws {
        let server = try ServeProcess(agents: "agents:\n  - name: ok\n    model: mock/echo\n", arguments: ["--max-concurrent", "1"])
        // Headers promising 1000 bytes, then one byte, then nothing.
        let slow = Process()
        slow.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        slow.arguments = ["python3", "-c", """
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"POST /v1/chat/completions HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1000\\r\\n\\r\\n{")
            time.sleep(20)
            """]
        try slow.run()
        defer { kill(slow.processIdentifier, SIGKILL); slow.waitUntilExit() }
        usleep(500_000)
        #expect(try server.curl("/v1/chat/completions", body: Self.body("ok")).status == 200)
    }

    @Test func anUpstreamKeyRefusalIsA502NotTheClients401() throws {
        let script = Paths.temporaryDirectory().appendingPathComponent("replies.jsonl")
        try #"{"type":"error","code":"authentication_failed","status":401,"message":"invalid x-api-key"}"# .write(to: script, atomically: true, encoding: .utf8)
        let server = try ServeProcess(agents: """
            agents:
              - name: piped
                command: [llm-complete, -m, mock/script, --mock-script, \(script.path)]
              - name: inproc
                model: mock/script
            """, arguments: ["--mock-script", script.path])
        for agent in ["piped", "inproc"] {
            let reply = try server.curl("/v1/chat/completions", body: Self.body(agent))
            #expect(reply.status == 502, "\(agent): \(reply.body)")
        }
    }

    @Test func aBackgroundProcessHoldingStdoutDoesNotHoldTheReply() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: daemon
                command: \(ServeTests.shell("(sleep 30 &); " + ServeTests.record(["role": "assistant", "content": "ok"])))
                timeout: 20
            """)
        let start = Date()
        let reply = try server.curl("/v1/chat/completions", body: Self.body("daemon"))
        #expect(reply.status == 200)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func endedCommandsLeaveNoZombies() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: quiet
                command: \(ServeTests.shell("sleep 30"))
                timeout: 0.3
            """)
        for _ in 0..<3 { #expect(try server.curl("/v1/chat/completions", body: Self.body("quiet")).status == 504) }
        usleep(300_000)
        let children = try run("/bin/ps", ["-o", "stat=", "--ppid", String(server.process.processIdentifier)], stdin: nil).stdout
        #expect(!children.contains("Z"), "zombies: \(children)")
    }

    @Test func aLongLineIsTheCommandsFaultAndCheapToRefuse() throws {
        let server = try ServeProcess(agents: """
            agents:
              - name: long
                command: \(ServeTests.shell("head -c 20000000 /dev/zero | tr '\\\\0' a"))
            """)
        let start = Date()
        let reply = try server.curl("/v1/chat/completions", body: Self.body("long"))
        #expect(reply.status == 502, "\(reply.body)")
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func shortKeysAreRefused() throws {
        let agents = Paths.temporaryDirectory().appendingPathComponent("agents.yaml")
        try "agents:\n  - name: one\n    model: mock/echo\n".write(to: agents, atomically: true, encoding: .utf8)
        let result = try run("llm-serve", ["-f", agents.path, "--port", "0", "--api-key-env", "K"], stdin: nil, environment: ["K": "abc123"], timeout: 10)
        #expect(result.status == 78)
        #expect(result.stderr.contains("16"))
    }
}

extension ServeHardeningTests {
    /// An agent command's own setup failure (its command line, config or files) is the
    /// server's problem: 502, and the client is not told the server's paths or settings,
    /// which stay in the server's log.
    @Test func anAgentsSetupFailureIsA502ThatShowsNoServerPaths() throws {
        let secretPath = "/srv/private/agents/config.yaml"
        let server = try ServeProcess(agents: """
            agents:
              - name: config
                command: \(ServeTests.shell(ServeTests.record(["type": "error", "code": "config_error", "message": .string("\(secretPath): providers.x.timeout must be a number")]) + "; exit 78"))
              - name: usage
                command: \(ServeTests.shell(ServeTests.record(["type": "error", "code": "usage_error", "message": .string("cannot read \(secretPath)")]) + "; exit 64"))
            """)
        for agent in ["config", "usage"] {
            let reply = try server.curl("/v1/chat/completions", body: Self.body(agent))
            #expect(reply.status == 502, "\(agent): \(reply.body)")
            #expect(!reply.body.contains(secretPath), "\(agent): \(reply.body)")
            #expect(reply.body.contains("agent \(agent)"), "\(agent): \(reply.body)")
        }
    }
}

extension ServeHardeningTests {
    /// A tools file the agents file names is part of the configuration: one that cannot be
    /// read is exit 78, as `--help` says, not a bad command line.
    @Test func anAgentsUnreadableToolsFileIsAConfigurationError() throws {
        let agents = Paths.temporaryDirectory().appendingPathComponent("agents.yaml")
        try "agents:\n  - name: one\n    model: mock/echo\n    tools: no-such-tools.yaml\n".write(to: agents, atomically: true, encoding: .utf8)
        let result = try run("llm-serve", ["-f", agents.path, "--port", "0"], stdin: nil, timeout: 10)
        #expect(result.status == 78, "\(result.stderr)")
        #expect(result.stderr.contains("no-such-tools.yaml"))
    }
}

extension ServeHardeningTests {
    /// A model agent's setup failure (here its key, which names the config's path) is the
    /// server's too: the same 502 step_failed a command agent's gets, no path; the access
    /// log keeps the whole message, on one line whatever it holds.
    @Test func aModelAgentsSetupFailureIsA502ThatShowsNoServerPaths() throws {
        let directory = Paths.temporaryDirectory()
        let config = directory.appendingPathComponent("private-llmkit-config.yaml")
        try "default_model: openai/gpt-4o-mini\n".write(to: config, atomically: true, encoding: .utf8)
        let server = try ServeProcess(agents: "agents:\n  - name: m\n    model: openai/gpt-4o-mini\n",
                                      arguments: ["--config", config.path], directory: directory)
        let reply = try server.curl("/v1/chat/completions", body: Self.body("m"))
        #expect(reply.status == 502, "\(reply.body)")
        #expect(!reply.body.contains(directory.path), "\(reply.body)")
        #expect(try JSONParser.parse(reply.body)["error"]?["code"] == "step_failed", "\(reply.body)")
        #expect(server.log.contains("OPENAI_API_KEY"), "\(server.log)")
    }
}
