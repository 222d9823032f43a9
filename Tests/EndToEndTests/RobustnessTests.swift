import Foundation
import LLMKit
import Testing

/// Issue 8: nothing received is lost, nothing invented, every problem said once and clearly.
@Suite struct InputRobustnessTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    func complete(_ arguments: [String], stdin: String?, model: String = "llamacpp/fake") throws -> CommandResult {
        try run("llm-complete", ["-m", model, "--api-base", server.baseURL] + arguments, stdin: stdin)
    }

    @Test func aByteOrderMarkBeforeJSONLinesIsIgnored() throws {
        let input = "\u{FEFF}" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try complete([], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.records.last?["content"] == "Echo: hi", "\(result.stdout)")
        let tools = try run("llm-tools", ["pending"], stdin: "\u{FEFF}" + ToolsFixture.conversation([("f", "{}")]))
        #expect(tools.status == 0, "\(tools.stderr)")
    }

    @Test func nonFiniteAndOutOfRangeValuesNeverReachTheWire() async throws {
        let flag = try complete(["--temperature", "1e999", "hi"], stdin: nil)
        #expect(flag.status == 64, "\(flag.stderr)")
        let dryRun = try complete(["--dry-run", "--temperature", "1e999", "hi"], stdin: nil)
        #expect(dryRun.status == 64 && !dryRun.stdout.contains("\"body\":null"), "\(dryRun.stdout)")
        for options in [#"{"type":"options","max_tokens":-5}"#, #"{"type":"options","temperature":1e999}"#, #"{"type":"options","max_tokens":0}"#,
                        #"{"type":"options","timeout":1e300}"#, #"{"type":"options","idle_timeout":1e300}"#] {
            let result = try complete([], stdin: options + "\n" + #"{"role":"user","content":"hi"}"# + "\n")
            #expect(result.status == 65, "\(options): \(result.stderr)")
            #expect(result.stderr.contains("line 1"), "\(options): \(result.stderr)")
        }
        #expect(try await server.requests().isEmpty)
    }

    @Test func eachBadBatchLineGetsItsOwnError() throws {
        let input = [#"{"id":"a","messages":"not a list"}"#, #"{"id":"b","messages":[]}"#,
                     #"{"id":"c","messages":[{"role":"user","content":"hi"}],"max_tokens":-1,"timeout":1e300}"#,
                     #"{"id":"d","messages":[{"role":"user","content":"hi"}]}"#].joined(separator: "\n") + "\n"
        let result = try complete([], stdin: input)
        let records = result.records
        try #require(records.count == 4, "\(result.stdout) \(result.stderr)")
        #expect(records.prefix(3).allSatisfy { $0["error"] != nil }, "\(result.stdout)")
        #expect(records.map { $0["id"] } == ["a", "b", "c", "d"])
        #expect(records[3]["message"]?["content"] == "Echo: hi", "the rest go on")
        #expect(result.status == 65)
    }

    @Test func aNumberIsNotAReply() throws {
        let result = try complete(["hi"], stdin: nil, model: "llamacpp/number-content")
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("content"), "\(result.stderr)")
    }

    @Test func retriesAreQuietUnlessVerbose() throws {
        let quiet = try complete(["hi quietly"], stdin: nil, model: "llamacpp/flaky")
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let verbose = try complete(["-v", "hi loudly"], stdin: nil, model: "llamacpp/flaky")
        #expect(verbose.stderr.contains("retrying"), "\(verbose.stderr)")
        let failing = try complete(["--retries", "1", "hi"], stdin: nil, model: "llamacpp/server-error")
        #expect(failing.status == 75)
        #expect(failing.stderr.split(separator: "\n").count == 1, "one line: \(failing.stderr)")
    }

    @Test func aBadRequestThatNamesAnUnknownModelIsAnUnknownModel() throws {
        let result = try complete(["hi"], stdin: nil, model: "llamacpp/bad-model-400")
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stderr.contains("bad-model-400") && result.stderr.contains("not found"), "\(result.stderr)")
    }

    @Test func errorsNameTheEndpointThatAnswered() throws {
        let rejecting = try FakeServer(arguments: ["--require-key", "right-key"])
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini", "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": "wrong-key-123456", "OPENAI_BASE_URL": rejecting.baseURL])
        #expect(result.status == 77)
        #expect(result.stderr.contains("127.0.0.1:\(rejecting.port)") && result.stderr.contains("OPENAI_API_KEY"), "\(result.stderr)")
    }
}

@Suite struct WireCornerTests {
    @Test func openAIsNewerTokenFieldGoesOnlyToOpenAI() throws {
        let elsewhere = try run("llm-complete", ["-m", "openai/x", "--dry-run", "--max-tokens", "12", "hi"], stdin: nil,
                                environment: ["OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": "http://127.0.0.1:4000/v1"])
        #expect(elsewhere.lastRecord?["body"]?["max_tokens"] == 12, "\(elsewhere.stdout)")
        #expect(elsewhere.lastRecord?["body"]?["max_completion_tokens"] == nil)
        let openai = try run("llm-complete", ["-m", "openai/x", "--dry-run", "--max-tokens", "12", "hi"], stdin: nil,
                             environment: ["OPENAI_API_KEY": "sk-test-0123456789"])
        #expect(openai.lastRecord?["body"]?["max_completion_tokens"] == 12, "\(openai.stdout)")
    }

    @Test func streamDryRunShowsTheStreamingBody() throws {
        let result = try run("llm-stream", ["-m", "llamacpp/x", "--dry-run", "hi"], stdin: nil)
        #expect(result.status == 0)
        #expect(result.lastRecord?["body"]?["stream"] == true, "\(result.stdout)")
        #expect(result.lastRecord?["body"]?["stream_options"] != nil)
    }
}

@Suite struct ServerCornerTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    @Test func aWholeJSONReplyToAStreamingRequestIsDelivered() throws {
        let result = try run("llm-stream", ["-m", "llamacpp/ignores-stream", "--api-base", server.baseURL, "hello"], stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lastRecord?["content"] == "Echo: hello", "\(result.stdout)")
        #expect(result.records.contains { $0["type"] == "delta" && $0["content"] == "Echo: hello" }, "delivered as one piece")
    }

    @Test func anHTMLPageIsNotAnAPIReply() throws {
        for tool in ["llm-complete", "llm-stream"] {
            let result = try run(tool, ["-m", "llamacpp/not-json", "--api-base", server.baseURL, "hi"], stdin: nil)
            #expect(result.status == 69, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("not an API reply") && result.stderr.contains("Welcome to nginx"), "\(tool): \(result.stderr)")
        }
    }

    @Test func aServerThatRefusesJSONSchemaGetsTheOtherFormOnce() async throws {
        let schema = Paths.temporaryDirectory().appendingPathComponent("schema.json")
        try #"{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}"#.write(to: schema, atomically: true, encoding: .utf8)
        let input = [#"{"id":1,"messages":[{"role":"user","content":"2+2"}]}"#, #"{"id":2,"messages":[{"role":"user","content":"3+1"}]}"#].joined(separator: "\n") + "\n"
        let start = Date()
        let result = try run("llm-complete", ["-m", "openai/json-object-only", "--schema", schema.path], stdin: input,
                             environment: ["OPENAI_API_KEY": "sk-test-0123456789", "OPENAI_BASE_URL": server.baseURL])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Date().timeIntervalSince(start) < 5, "not retried for seconds")
        #expect(result.records.map { $0["message"]?["content"] } == ["{\"answer\": 4}", "{\"answer\": 4}"])
        let kinds = try await server.requests().map { $0["body"]?["response_format"]?["type"]?.stringValue ?? "" }
        #expect(kinds == ["json_schema", "json_object", "json_object"], "one fallback, remembered for the run: \(kinds)")
    }
}

@Suite struct ToolsFileCornerTests {
    @Test func relativeCommandPathsAreBesideTheToolsFile() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: hello, command: [\"scripts/hello.sh\"]}\n")
        try FileManager.default.createDirectory(at: fixture.directory.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try fixture.write("scripts/hello.sh", "#!/bin/sh\necho beside the tools file\n", executable: true)
        let message = try fixture.call("hello", "{}")
        #expect(message["content"] == "beside the tools file", "\(message)")
    }

    @Test func aModelStepThatAddsALineFirstDoesNotDuplicateTheTranscript() throws {
        let agent = Paths.fixture("agent")
        let input = try String(contentsOf: agent.appendingPathComponent("question.jsonl"), encoding: .utf8)
        let result = try run("llm-tools", ["loop", "-f", agent.appendingPathComponent("tools.yaml").path, "--max-turns", "5", "--",
                                           Paths.binary("llm-complete").path, "-s", "Be brief", "-m", "mock/script",
                                           "--mock-script", agent.appendingPathComponent("replies.jsonl").path],
                             stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let users = result.records.filter { $0["role"] == "user" }
        #expect(users.count == 1, "the user line once, not once per turn: \(result.stdout)")
        #expect(result.records.filter { $0["role"] == "assistant" }.count == 3)
    }
}

/// SIGINT, SIGTERM and SIGHUP mean the same to every tool: what was received is written, an
/// `interrupted` error record follows, exit 130.
@Suite struct SignalTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    /// Starts `tool`, waits `after` seconds, sends `signal`; its status, stdout, and whether
    /// it ended within 5 s of the signal.
    func interrupt(_ tool: String, _ arguments: [String], signal: Int32, after: Double, readOutput: Bool = true) throws -> (Int32, String, Bool) {
        let process = Process()
        process.executableURL = Paths.binary(tool)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        usleep(UInt32(after * 1_000_000))
        kill(process.processIdentifier, signal)
        let signalled = Date()
        let watchdog = Watchdog(process, after: 5)
        var stdout = ""
        if readOutput {
            stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        } else {
            while process.isRunning, Date().timeIntervalSince(signalled) < 6 { usleep(20_000) }
        }
        process.waitUntilExit()
        return (process.terminationStatus, stdout, !watchdog.fired)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func llmCompleteWritesAnErrorRecordAndExits130(signal: Int32) throws {
        let (status, stdout, ended) = try interrupt("llm-complete", ["-m", "llamacpp/slow", "--api-base", server.baseURL, "hi"], signal: signal, after: 0.5)
        #expect(ended)
        #expect(status == 130, "signal \(signal): \(status)")
        let records = stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        #expect(records.first?["role"] == "user", "the conversation is still written")
        #expect(records.last?["code"] == "interrupted", "\(stdout)")
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func llmStreamKeepsThePartialReply(signal: Int32) throws {
        let (status, stdout, ended) = try interrupt("llm-stream", ["-m", "llamacpp/slow-stream", "--api-base", server.baseURL, "one two three four five six"],
                                                   signal: signal, after: 0.7)
        #expect(ended)
        #expect(status == 130, "signal \(signal): \(status)")
        let records = stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        let partial = records.dropLast().last
        #expect(partial?["finish_reason"] == "interrupted" && partial?["content"]?.stringValue?.hasPrefix("Echo:") == true, "\(stdout)")
        #expect(records.last?["code"] == "interrupted")
    }

    /// Nobody reads stdout: the tool blocks writing. Ctrl-C must still end it at once.
    @Test func ctrlCEndsAStreamBlockedOnAStalledReader() throws {
        let (status, _, ended) = try interrupt("llm-stream", ["-m", "llamacpp/bench-stream-2000000", "--api-base", server.baseURL, "go"],
                                               signal: SIGINT, after: 1.5, readOutput: false)
        #expect(ended, "blocked on a full pipe, it ignored Ctrl-C")
        #expect(status == 130)
    }
}

/// Every wait has a deadline; a cancelled task ends its transfer and its retries.
@Suite struct DeadlineTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    @Test func aServerThatNeverAnswersEndsAtTheIdleDeadline() throws {
        let start = Date()
        let result = try run("llm-complete", ["-m", "llamacpp/hang", "--api-base", server.baseURL, "--idle-timeout", "1", "--retries", "0", "hi"],
                             stdin: nil, timeout: 20)
        #expect(!result.timedOut)
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1 && result.stderr.contains("idle-timeout"), "\(result.stderr)")
    }

    @Test func theDefaultDeadlinesAreSaid() throws {
        let help = try run("llm-complete", ["--help"], stdin: nil)
        #expect(help.stdout.contains("--idle-timeout") && help.stdout.contains("600"), "\(help.stdout)")
    }

    @Test func cancellingATaskEndsItsTransfer() async throws {
        var request = HTTPRequest(url: server.baseURL + "/chat/completions",
                                  body: Array(#"{"model":"hang","messages":[{"role":"user","content":"x"}]}"#.utf8))
        request.headers = [("Content-Type", "application/json")]
        let task = Task { () -> TransportError? in
            do throws(TransportError) {
                _ = try await HTTPClient.shared.send(request)
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let error = await task.value
        // Uncancelled, this waits an hour: the bound only tells the two apart, on any machine.
        #expect(ContinuousClock.now - start < .seconds(60), "the transfer outlived its task")
        #expect(error?.kind == .cancelled)
    }

    @Test func cancellingATaskStopsItsRetries() async throws {
        let task = Task { () -> LLMError? in
            do throws(LLMError) {
                _ = try await RetryPolicy(maxRetries: 5).run { () throws(LLMError) -> Int in
                    throw LLMError(.rateLimited, "slow down", retryable: true, retryAfter: 30)
                }
                return nil
            } catch {
                return error
            }
        }
        try await Task.sleep(for: .milliseconds(200))
        let start = ContinuousClock.now
        task.cancel()
        let error = await task.value
        // Uncancelled, five retries 30 s apart take 150 s.
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(error?.kind == .interrupted, "\(String(describing: error))")
    }
}

/// Every child has a deadline: the key command, and the model step of a loop.
@Suite struct ChildDeadlineTests {
    @Test func aKeyCommandThatNeverEndsIsStopped() throws {
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  corp:\n    api_base: http://127.0.0.1:1/v1\n    api_key_cmd: sleep 4747.5\n    api_key_timeout: 1\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let start = Date()
        let result = try run("llm-complete", ["-m", "corp/x", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path], timeout: 30)
        #expect(Date().timeIntervalSince(start) < 6)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("api_key_cmd") && result.stderr.contains("1 s"), "\(result.stderr)")
        #expect(runningProcesses(containing: "sleep 4747.5").isEmpty)
    }

    @Test func aModelStepThatHangsIsStopped() throws {
        let start = Date()
        let result = try run("llm-tools", ["loop", "--model-timeout", "1", "--", "sh", "-c", "cat > /dev/null; sleep 4848.5"],
                             stdin: #"{"role":"user","content":"hi"}"# + "\n", timeout: 30)
        #expect(Date().timeIntervalSince(start) < 6)
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("--model-timeout"), "\(result.stderr)")
        #expect(runningProcesses(containing: "sleep 4848.5").isEmpty)
    }
}
