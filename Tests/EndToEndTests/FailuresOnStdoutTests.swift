import Foundation
import LLMKit
import Testing

/// Failures are data too (README, "Exit status"): once its command line is accepted, a tool
/// that writes records passes on the records it read before the failure, then ends its
/// output with one `error` record; a batch answers a line it cannot read with an error
/// result and goes on.
@Suite struct FailuresOnStdoutTests {
    static let malformed = """
        {"role":"user","content":"first"}
        {"role":"user", "content": broken
        {"role":"user","content":"third"}

        """

    static func brokenConfig() throws -> String {
        let path = Paths.temporaryDirectory().appendingPathComponent("config.yaml").path
        try "providers:\n  x:\n    timeout: soon\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func code(_ record: JSONObject?) -> String? {
        record?["type"]?.stringValue == "error" ? record?["code"]?.stringValue : nil
    }

    @Test(arguments: [
        ("llm-complete", ["-m", "mock/echo"]),
        ("llm-stream", ["-m", "mock/echo"]),
        ("llm-tools", ["exec"]),
        ("llm-tools", ["list"]),
    ])
    func aMalformedLinePassesOnTheLinesBeforeItThenAnErrorRecord(_ tool: String, _ arguments: [String]) throws {
        let result = try run(tool, arguments, stdin: Self.malformed)
        #expect(result.status == 65, "\(result.stderr)")
        let records = result.records
        #expect(records.first?["content"]?.stringValue == "first", "\(result.stdout)")
        #expect(Self.code(records.last) == "invalid_input", "\(result.stdout)")
        #expect(records.last?["message"]?.stringValue?.contains("line 2") == true)
        #expect(!result.stdout.contains("third"), "went on past the broken line: \(result.stdout)")
    }

    @Test(arguments: [
        ("llm-complete", ["-m", "mock/echo", "hi"]),
        ("llm-stream", ["-m", "mock/echo", "hi"]),
        ("llm-tools", ["exec"]),
        ("llm-cost", []),
        ("llm-probe", ["http://127.0.0.1:9"]),
    ])
    func aConfigurationErrorIsAnErrorRecord(_ tool: String, _ arguments: [String]) throws {
        let result = try run(tool, arguments, stdin: "", environment: ["LLMKIT_CONFIG": try Self.brokenConfig()])
        #expect(result.status == 78, "\(result.stderr)")
        #expect(Self.code(result.lastRecord) == "config_error", "\(tool): \(result.stdout)")
        #expect(result.stderr.contains("timeout"), "\(result.stderr)")
    }

    @Test func aBatchAnswersALineItCannotReadWithAnErrorAndGoesOn() throws {
        let input = """
            {"id":"a","messages":[{"role":"user","content":"one"}]}
            {"id":"b","messages": broken
            {"id":"c","messages":[{"role":"user","content":"three"}]}

            """
        let result = try run("llm-complete", ["-m", "mock/echo", "-j", "2"], stdin: input)
        #expect(result.status == 65, "\(result.stderr)")
        let records = result.records
        #expect(records.count == 3, "\(result.stdout)")
        #expect(records.first?["id"]?.stringValue == "a" && records.first?["message"] != nil)
        #expect(records.dropFirst().first?["error"]?["code"]?.stringValue == "invalid_input", "\(result.stdout)")
        #expect(records.dropFirst().first?["error"]?["message"]?.stringValue?.contains("line 2") == true)
        #expect(records.last?["id"]?.stringValue == "c" && records.last?["message"] != nil, "\(result.stdout)")
    }

    @Test func llmCostEndsWithAnErrorRecordForALineItCannotRead() throws {
        let input = "{\"role\":\"assistant\",\"content\":\"x\",\"usage\": broken\n"
        let result = try run("llm-cost", [], stdin: input)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(Self.code(result.lastRecord) == "invalid_input", "\(result.stdout)")
    }
}

extension FailuresOnStdoutTests {
    /// A conversation that ends in an error record is one an earlier stage failed: the next
    /// stage passes it on and ends with its status, and asks no model about half of it.
    @Test(arguments: [("llm-complete", ["-m", "mock/echo"]), ("llm-stream", ["-m", "mock/echo"]), ("llm-tools", ["exec"])])
    func aConversationThatEndsInAnErrorIsPassedOnNotContinued(_ tool: String, _ arguments: [String]) throws {
        let input = "{\"role\":\"user\",\"content\":\"hi\"}\n{\"type\":\"error\",\"code\":\"connection_failed\",\"message\":\"refused\"}\n"
        let result = try run(tool, arguments, stdin: input)
        #expect(result.status == 69, "\(result.stderr)")
        #expect(result.stdout == input, "\(result.stdout)")
    }
}

extension FailuresOnStdoutTests {
    /// A line that changes how every later line is asked (a bad `options` or `tools` line), or
    /// a message where whole requests belong, stops the batch: what came before it is
    /// written, and then an error record that names the line, and nothing after it runs.
    @Test(arguments: [
        #"{"type":"options","temperature":"hot"}"#,
        #"{"type":"tools","tools":5}"#,
        #"{"role":"user","content":"stray"}"#,
    ])
    func aBatchThatStopsEndsWithAnErrorRecord(_ stopper: String) throws {
        let input = """
            {"id":"a","messages":[{"role":"user","content":"one"}]}
            \(stopper)
            {"id":"c","messages":[{"role":"user","content":"three"}]}

            """
        let result = try run("llm-complete", ["-m", "mock/echo", "-j", "2"], stdin: input)
        #expect(result.status == 65, "\(result.stderr)")
        let records = result.records
        #expect(records.first?["id"]?.stringValue == "a" && records.first?["message"] != nil, "\(result.stdout)")
        #expect(Self.code(records.last) == "invalid_input", "\(result.stdout)")
        #expect(records.last?["message"]?.stringValue?.contains("line 2") == true, "\(result.stdout)")
        #expect(!records.contains { $0["id"]?.stringValue == "c" }, "went on past line 2: \(result.stdout)")
    }
}

extension FailuresOnStdoutTests {
    /// `--batch-api` and `--resume` end a failed run with an error record too: a job that
    /// cannot be submitted, and a file that holds no job.
    @Test func aProviderBatchThatFailsEndsWithAnErrorRecord() throws {
        let request = #"{"id":"a","messages":[{"role":"user","content":"one"}]}"# + "\n"
        let submit = try run("llm-complete", ["--batch-api", "-m", "openai/gpt-4o-mini", "--api-base", "http://127.0.0.1:9/v1"],
                             stdin: request, environment: ["OPENAI_API_KEY": "sk-test-unused"])
        #expect(submit.status == 69, "\(submit.stderr)")
        #expect(Self.code(submit.lastRecord) != nil, "\(submit.stdout)")
        let file = Paths.temporaryDirectory().appendingPathComponent("job.jsonl")
        try #"{"type":"note","text":"no job here"}"#.write(to: file, atomically: true, encoding: .utf8)
        let resume = try run("llm-complete", ["--resume", file.path])
        #expect(resume.status != 0, "\(resume.stderr)")
        #expect(Self.code(resume.lastRecord) != nil, "\(resume.stdout)")
    }
}

extension FailuresOnStdoutTests {
    /// A loop's model command that fails ends the loop with the command's own status (as
    /// `--help` says), and its error record is passed on even when it failed before copying
    /// the conversation; a command that wrote none gets one written for it.
    @Test(arguments: [
        (#"cat > /dev/null; echo '{"type":"error","code":"config_error","message":"bad config"}'; exit 78"#, Int32(78), "config_error"),
        ("cat > /dev/null; exit 2", Int32(2), "step_failed"),
        ("cat > /dev/null; kill -9 $$", Int32(137), "step_failed"),
    ])
    func aLoopEndsWithItsCommandsStatusAndAnErrorRecord(_ script: String, _ status: Int32, _ code: String) throws {
        let question = #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-tools", ["loop", "--", "/bin/sh", "-c", script], stdin: question)
        #expect(result.status == status, "\(result.stderr)")
        #expect(result.records.first?["content"] == "hi", "\(result.stdout)")
        #expect(Self.code(result.lastRecord) == code, "\(result.stdout)")
    }
}

extension FailuresOnStdoutTests {
    /// A model step that exits 0 but adds no assistant message did not answer: the loop
    /// fails with an error record, instead of ending "successfully" with no reply.
    @Test(arguments: ["cat", #"grep -v '"role":"user"' || true"#])
    func aLoopStepThatAddsNoReplyFails(_ script: String) throws {
        let question = #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-tools", ["loop", "--", "/bin/sh", "-c", script], stdin: question)
        #expect(result.status != 0, "\(result.stdout)")
        #expect(Self.code(result.lastRecord) == "invalid_reply", "\(result.stdout)")
    }

    /// The command's own error record counts wherever it stands among its new lines; a
    /// plain exit above 128 is not called a signal.
    @Test func aLoopKeepsTheCommandsErrorRecordAndSaysHowItExited() throws {
        let question = #"{"role":"user","content":"hi"}"# + "\n"
        let script = #"cat; echo '{"type":"error","code":"rate_limited","message":"slow down"}'; echo '{"type":"cost","usd":0}'; exit 75"#
        let result = try run("llm-tools", ["loop", "--", "/bin/sh", "-c", script], stdin: question)
        #expect(result.status == 75)
        #expect(!result.records.contains { $0["code"] == "step_failed" }, "\(result.stdout)")
        let plain = try run("llm-tools", ["loop", "--", "/bin/sh", "-c", "cat > /dev/null; exit 200"], stdin: question)
        #expect(plain.status == 200)
        #expect(plain.lastRecord?["message"]?.stringValue?.contains("exited with status 200") == true, "\(plain.stdout)")
    }
}
