import Foundation
import LLMKit
import Testing

/// The route stage end to end: fallbacks, routers, offline mode, replicas.
@Suite struct FallbackTests {
    let server: FakeServer
    let config: String

    /// Providers `a` and `b`, both the fake server; the model name picks its behaviour.
    init() throws {
        server = try FakeServer()
        let directory = Paths.temporaryDirectory()
        config = directory.appendingPathComponent("config.yaml").path
        try """
        providers:
          a: {type: openai, api_base: "\(server.baseURL)"}
          b: {type: openai, api_base: "\(server.baseURL)"}
        fallbacks:
          a/server-error: [b/from-config]
        context_windows:
          a/context: 2048
          b/small: 1024
          b/large: 128000
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func complete(_ arguments: [String], tool: String = "llm-complete") throws -> CommandResult {
        try run(tool, ["--retries", "0"] + arguments + ["hello there"], environment: ["LLMKIT_CONFIG": config])
    }

    @Test func aFailingModelFallsBackAndTheReplySaysFromWhat() throws {
        let result = try complete(["-m", "a/server-error", "--fallback", "b/echo"])
        #expect(result.status == 0)
        let reply = try #require(result.lastRecord)
        #expect(reply["model"] == "b/echo")
        #expect(reply["content"] == "Echo: hello there")
        let from = try #require(reply["fallback_from"]?.arrayValue)
        #expect(from.map { $0["model"] } == ["a/server-error"])
        #expect(from.map { $0["code"] } == ["server_error"])
        #expect(!result.stderr.contains("falling back"), "quiet unless asked")
    }

    @Test func aFallbacksKeyCommandRunsOnlyWhenItIsTried() throws {
        let directory = Paths.temporaryDirectory()
        let marker = directory.appendingPathComponent("key-command-ran").path
        let path = directory.appendingPathComponent("config.yaml").path
        try """
        providers:
          a: {type: openai, api_base: "\(server.baseURL)"}
          b: {type: openai, api_base: "\(server.baseURL)", api_key_cmd: "touch \(marker); echo sk-b"}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let ok = try run("llm-complete", ["-m", "a/echo", "--fallback", "b/echo", "hi"], environment: ["LLMKIT_CONFIG": path])
        #expect(ok.status == 0)
        #expect(!FileManager.default.fileExists(atPath: marker), "the fallback was not needed")
        let failed = try run("llm-complete", ["--retries", "0", "-m", "a/server-error", "--fallback", "b/echo", "hi"], environment: ["LLMKIT_CONFIG": path])
        #expect(failed.lastRecord?["model"] == "b/echo")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    /// A fallback's key is read only when it is tried, after the stream began: its pieces
    /// must still be scrubbed of it.
    @Test func aFallbacksKeyIsMaskedInTheStream() throws {
        let key = "sk-fallback-5e4d3c2b1a09f8e7d6"
        let path = Paths.temporaryDirectory().appendingPathComponent("config.yaml").path
        try """
        providers:
          a: {type: openai, api_base: "\(server.baseURL)"}
          b: {type: openai, api_base: "\(server.baseURL)", api_key_cmd: "echo \(key)"}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try run("llm-stream", ["--retries", "0", "-m", "a/server-error", "--fallback", "b/echo-auth", "hi"],
                             environment: ["LLMKIT_CONFIG": path])
        #expect(result.lastRecord?["model"] == "b/echo-auth")
        for start in stride(from: 0, to: key.count - 8, by: 4) {
            let piece = String(key.dropFirst(start).prefix(8))
            #expect(!result.stdout.contains(piece) && !result.stderr.contains(piece), "\(piece)")
        }
        #expect(result.stdout.contains("[REDACTED]"))
    }

    @Test func configFallbacksApplyAndExplainSaysSo() throws {
        let result = try complete(["-m", "a/server-error", "--explain"])
        #expect(result.status == 0)
        #expect(result.lastRecord?["model"] == "b/from-config")
        #expect(result.stderr.contains("a/server-error failed (server_error): falling back to b/from-config"))
    }

    @Test func aBadRequestDoesNotFallBack() async throws {
        // A context overflow with no larger window known is the request's fault, not the model's.
        let result = try complete(["-m", "b/context", "--fallback", "a/echo"])
        #expect(result.status == 65)
        #expect(result.lastRecord?["code"] == "context_length_exceeded")
        #expect(try await server.requests().count == 1)
    }

    @Test func aContextOverflowFallsBackOnlyToALargerWindow() async throws {
        let result = try complete(["-m", "a/context", "--fallback", "b/small", "--fallback", "b/large", "--explain"])
        #expect(result.status == 0)
        #expect(result.lastRecord?["model"] == "b/large")
        #expect(result.stderr.contains("b/small skipped: its context window (1024 tokens) is not larger"))
        #expect(try await server.requests().map { $0["body"]?["model"] } == ["context", "large"])
    }

    @Test func whenEveryModelFailsTheErrorNamesEach() throws {
        let result = try complete(["-m", "a/server-error", "--fallback", "b/server-error"])
        #expect(result.status == 69)
        let error = try #require(result.lastRecord)
        #expect(error["code"] == "fallbacks_failed")
        #expect(error["message"]?.stringValue?.contains("a/server-error") == true)
        #expect(error["message"]?.stringValue?.contains("b/server-error") == true)
    }

    @Test func aStreamFallsBackWhileNothingWasDelivered() throws {
        let result = try complete(["-m", "a/server-error", "--fallback", "b/echo"], tool: "llm-stream")
        #expect(result.status == 0)
        #expect(result.lastRecord?["model"] == "b/echo")
        #expect(result.records.filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }.joined() == "Echo: hello there")
    }

    @Test func aStreamCutAfterTextKeepsItRatherThanRepeatIt() async throws {
        let result = try complete(["-m", "a/cut", "--fallback", "b/echo"], tool: "llm-stream")
        #expect(result.status == 75)
        let partial = try #require(result.records.last { $0["role"] == "assistant" })
        #expect(partial["model"] == "a/cut")
        #expect(partial["finish_reason"] == "error")
        #expect(partial["content"]?.stringValue?.isEmpty == false)
        #expect(result.lastRecord?["code"] == "stream_interrupted")
        #expect(try await server.requests().count == 1)
    }

    @Test func aFailureThatCannotFallBackIsItselfInBothTools() throws {
        for tool in ["llm-complete", "llm-stream"] {
            let result = try complete(["-m", "a/server-error", "--fallback", "b/context", "--fallback", "a/echo"], tool: tool)
            #expect(result.status == 65, "\(tool)")
            #expect(result.lastRecord?["code"] == "context_length_exceeded", "\(tool)")
        }
    }

    @Test func retryPartialStartsOverAndSaysSo() throws {
        let result = try complete(["-m", "a/cut", "--fallback", "b/echo", "--retry-partial"], tool: "llm-stream")
        #expect(result.status == 0)
        let records = result.records
        let restart = try #require(records.firstIndex { $0["type"] == "restart" })
        #expect(records[restart]["code"] == "stream_interrupted")
        let after = records[(restart + 1)...].filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }.joined()
        #expect(after == "Echo: hello there")
        let reply = try #require(records.last)
        #expect(reply["model"] == "b/echo")
        #expect(reply["content"] == "Echo: hello there")
        #expect(reply["fallback_from"]?.arrayValue?.first?["code"] == "stream_interrupted")
    }
}

@Suite struct RouterTests {
    let server: FakeServer
    let config: String

    init() throws {
        server = try FakeServer()
        config = Paths.temporaryDirectory().appendingPathComponent("config.yaml").path
        try """
        providers:
          local: {type: openai, api_base: "\(server.baseURL)"}
          cloud: {type: openai, api_base: "http://0.0.0.0:9/v1"}  # not loopback by name, so not local; still this machine
        routes:
          auto:
            - when: {tools: true}
              model: cloud/capable
            - when: {route: cheap}
              model: local/cheap
            - when: {max_input_tokens: 100}
              model: local/small
            - model: cloud/large
              fallbacks: [local/small]
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    func auto(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
        try run("llm-complete", ["-m", "auto", "--retries", "0"] + arguments, stdin: stdin, environment: ["LLMKIT_CONFIG": config])
    }

    @Test func eachRuleChoosesItsModelAndExplainSaysWhich() throws {
        let small = try auto(["--explain", "hi"])
        #expect(small.status == 0)
        #expect(small.lastRecord?["model"] == "local/small")
        #expect(small.lastRecord?["route"]?["rule"] == 3)
        #expect(small.stderr.contains("auto: rule 3 (input ≤ 100 tokens (about "))
        #expect(small.stderr.contains(") chose local/small"))

        let cheap = try auto(["--explain", "--route", "cheap", "hi"])
        #expect(cheap.lastRecord?["model"] == "local/cheap")
        #expect(cheap.stderr.contains("auto: rule 2 (--route cheap) chose local/cheap"))

        let withTools = try auto(["--explain", "--dry-run"], stdin: #"{"type":"tools","tools":[{"name":"f","parameters":{"type":"object"}}]}"# + "\n"
                                 + #"{"role":"user","content":"hi"}"# + "\n")
        #expect(withTools.stderr.contains("auto: rule 1 (tools present) chose cloud/capable"))
        #expect(withTools.lastRecord?["model"] == "cloud/capable")
    }

    /// The rule, chosen by what the input holds, picks the provider: with --api-base that
    /// would let the input decide whose key goes to the endpoint.
    @Test func aRouterIsRefusedWithAnEndpointOverride() throws {
        let result = try auto(["--api-base", server.baseURL, "hi"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--api-base"))
        #expect(result.records.allSatisfy { $0["role"] != "assistant" })
    }

    @Test func aLongPromptGoesToTheLastRuleAndFallsBackLocally() throws {
        let long = String(repeating: "word ", count: 200)
        let result = try auto(["--explain", long])
        #expect(result.stderr.contains("auto: rule 4 (default) chose cloud/large"))
        #expect(result.status == 0)
        #expect(result.lastRecord?["model"] == "local/small")
        #expect(result.lastRecord?["fallback_from"]?.arrayValue?.first?["model"] == "cloud/large")
    }

    @Test func offlineWithOnlyCloudCandidatesFailsAtOnceNamingTheRule() throws {
        let started = Date()
        let cloud = try run("llm-complete", ["-m", "auto", "--offline", "hi"], stdin: #"{"type":"tools","tools":[{"name":"f","parameters":{"type":"object"}}]}"# + "\n"
                            + #"{"role":"user","content":"hi"}"# + "\n", environment: ["LLMKIT_CONFIG": config])
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(cloud.status == 69)
        #expect(cloud.lastRecord?["code"] == "no_local_candidate")
        #expect(cloud.stderr.contains("route auto rule 1 (tools present) chose cloud/capable, which is not local"))

        let plain = try run("llm-complete", ["-m", "openai/gpt-4o", "--offline", "hi"], environment: ["LLMKIT_CONFIG": config, "OPENAI_API_KEY": "sk-x"])
        #expect(plain.status == 69)
        #expect(plain.stderr.contains("offline (--offline): openai/gpt-4o was asked for, which is not local"))
    }

    @Test func offlineKeepsTheLocalFallback() throws {
        let long = String(repeating: "word ", count: 200)
        let result = try auto(["--offline", "--explain", long])
        #expect(result.status == 0)
        #expect(result.lastRecord?["model"] == "local/small")
        #expect(result.stderr.contains("offline (--offline): cloud/large left out, not local"))
    }
}

@Suite struct ReplicaTests {
    /// Three replicas, one dying mid-run (its port still accepts, and resets every
    /// request, as a crashed backend behind a proxy does): a 300-request batch completes,
    /// and once the dead one failed it is sent nothing more.
    @Test func aBatchSurvivesAReplicaDyingMidRun() throws {
        let live = try (0..<2).map { _ in try FaultServer(script: [], arguments: ["--delay-ms", "40"]) }
        let dying = try FaultServer(script: [], arguments: ["--delay-ms", "40", "--dead-after", "40"])
        let replicas = (live + [dying]).map { "\"\($0.baseURL)\"" }.joined(separator: ", ")
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml").path
        try "providers:\n  pool: {type: openai, api_base: [\(replicas)], cooldown: 120}\n".write(toFile: config, atomically: true, encoding: .utf8)
        let input = (1...300).map { #"{"id":\#($0),"messages":[{"role":"user","content":"request \#($0)"}]}"# }.joined(separator: "\n") + "\n"
        let result = try run("llm-complete", ["-m", "pool/m", "-j", "8"], stdin: input, environment: ["LLMKIT_CONFIG": config])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.records
        #expect(lines.count == 300)
        #expect(lines.map { $0["id"]?.intValue } == (1...300).map { $0 })
        #expect(lines.allSatisfy { $0["error"] == nil && $0["message"]?["content"]?.stringValue?.hasPrefix("Echo: request") == true })

        let dead = try dying.apiRequests().filter { $0["dead"] == true }
        let firstDeath = try #require(dead.first?["t"]?.doubleValue)
        // In flight when it died, or chosen before the first failure came back: at most -j of them.
        #expect(dead.count <= 8, "\(dead.count) requests reached the dead replica")
        #expect(dead.allSatisfy { ($0["t"]?.doubleValue ?? 0) - firstDeath < 0.5 })
        let served = try live.map { try $0.apiRequests() }
        #expect(served.allSatisfy { $0.count > 100 }, "every live replica shares the batch")
        // Much of the run went on after the death, without the dead replica.
        let later = served.flatMap { $0 }.filter { ($0["t"]?.doubleValue ?? 0) > firstDeath + 0.5 }
        #expect(later.count >= 50, "only \(later.count) requests came after the death")
    }
}
