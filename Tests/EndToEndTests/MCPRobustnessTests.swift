import Foundation
import LLMKit
import Testing

/// Issue 8: an MCP server that dies, hangs, floods or clashes never hangs llm-tools, and
/// says what happened.
@Suite struct MCPRobustnessTests {
    let server = Paths.fixture("mcp_server.py").path

    func fixture(_ mcp: String, tools: String = "") throws -> ToolsFixture {
        try ToolsFixture((tools.isEmpty ? "" : "tools:\n" + tools) + "mcp:\n" + mcp)
    }

    @Test func aServerThatDiesMidCallGivesThatCallAResultAndTheRestGoOn() throws {
        let fixture = try fixture("  - {name: calc, command: [\"python3\", \"\(server)\"], tools: [crash, add]}\n",
                                  tools: "  - {name: hello, command: [\"echo\", \"hello\"]}\n")
        let start = Date()
        let (result, messages) = try fixture.exec([("hello", "{}"), ("crash", "{}"), ("add", #"{"a":1,"b":2}"#)], flags: ["-j", "1"])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(messages.count == 3, "\(result.stdout)")
        #expect(messages.first?["content"] == "hello")
        let crashed = messages.dropFirst().first?["content"]?.stringValue ?? ""
        #expect(crashed.contains("exited") && crashed.contains("3") && crashed.contains("segmentation fault in the widget"), "\(crashed)")
        #expect(messages.last?["is_error"] == true, "the server is gone: \(messages.last ?? [:])")
    }

    @Test(arguments: [("--silent", "did not answer"), ("--crash-at-start", "cannot load settings.toml")])
    func aServerThatFailsToStartIsAConfigurationError(mode: String, says: String) throws {
        let fixture = try fixture("  - {name: broken, command: [\"python3\", \"\(server)\", \"\(mode)\"], timeout: 2}\n")
        let start = Date()
        for arguments in [["list", "-f", fixture.toolsFile.path], ["exec", "-f", fixture.toolsFile.path]] {
            let result = try run("llm-tools", arguments, stdin: ToolsFixture.conversation([("add", "{}")]), timeout: 20)
            #expect(!result.timedOut)
            #expect(result.status == 78, "\(arguments[0]) \(mode): \(result.stderr)")
            #expect(result.stderr.contains(says) && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
        #expect(Date().timeIntervalSince(start) < 12)
        #expect(runningProcesses(containing: "\(server) \(mode)").isEmpty, "the server was left running")
    }

    @Test func eachCallHasTheServersTimeout() throws {
        let fixture = try fixture("  - {name: slow, command: [\"python3\", \"\(server)\"], tools: [sleep], timeout: 1}\n")
        let start = Date()
        let (result, messages) = try fixture.exec([("sleep", #"{"seconds":45}"#)])
        #expect(Date().timeIntervalSince(start) < 6)
        #expect(result.status == 0)
        #expect(messages.first?["is_error"] == true && messages.first?["content"]?.stringValue?.contains("1 s") == true, "\(messages)")
    }

    @Test func aHugeReplyIsCutAtTheOutputCap() throws {
        let fixture = try fixture("  - {name: flood, command: [\"python3\", \"\(server)\"], tools: [huge]}\n")
        let start = Date()
        let (result, messages) = try fixture.exec([("huge", #"{"megabytes":50}"#)], flags: ["--max-output", "10000"])
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(result.status == 0, "\(result.stderr)")
        #expect((messages.first?["content"]?.stringValue?.utf8.count ?? 0) < 20_000, "capped")
        #expect(messages.first?["is_error"] == true || messages.first?["truncated"] == true)
    }

    @Test func clashingNamesAreRefusedOrNamespaced() throws {
        let clash = try fixture("""
              - {name: one, command: ["python3", "\(server)"], tools: [add]}
              - {name: two, command: ["python3", "\(server)"], tools: [add]}

            """)
        let refused = try run("llm-tools", ["list", "-f", clash.toolsFile.path], stdin: nil)
        #expect(refused.status == 78, "\(refused.stdout)")
        #expect(refused.stderr.contains("add") && refused.stderr.contains("one") && refused.stderr.contains("two"), "\(refused.stderr)")
        let spaced = try fixture("""
              - {name: one, command: ["python3", "\(server)"], tools: [add], prefix: true}
              - {name: two, command: ["python3", "\(server)"], tools: [add], prefix: true}

            """)
        let listed = try run("llm-tools", ["list", "-f", spaced.toolsFile.path], stdin: nil)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lastRecord?["tools"]?.arrayValue?.map { $0["name"] } == ["one_add", "two_add"])
        let (_, messages) = try spaced.exec([("two_add", #"{"a":2,"b":3}"#)])
        #expect(messages.first?["content"] == "5")
    }

    @Test func schemasKeepTheirKeyOrder() throws {
        let fixture = try fixture("  - {name: s, command: [\"python3\", \"\(server)\"], tools: [ordered]}\n")
        let result = try run("llm-tools", ["list", "-f", fixture.toolsFile.path], stdin: nil)
        let properties = result.lastRecord?["tools"]?.arrayValue?.first?["parameters"]?["properties"]?.objectValue
        #expect(properties?.keys == ["zeta", "alpha", "mid"], "\(result.stdout)")
    }
}
