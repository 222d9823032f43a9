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
