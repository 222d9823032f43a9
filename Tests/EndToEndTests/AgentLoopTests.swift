import Foundation
import LLMKit
import Testing

/// The three agent-loop forms the README shows, run as written, against `mock/script`.
@Suite struct AgentLoopTests {
    /// The README's block after `<!-- agent-loops -->`, copied into a scratch copy of
    /// Tests/Fixtures/agent and run there with the built tools on PATH.
    func runREADMELoops() throws -> URL {
        let readme = try String(contentsOf: Paths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let afterMarker = try #require(readme.components(separatedBy: "<!-- agent-loops: run as written by AgentLoopTests -->").dropFirst().first)
        let block = try #require(afterMarker.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        let work = Paths.temporaryDirectory().appendingPathComponent("agent")
        try FileManager.default.copyItem(at: Paths.fixture("agent"), to: work)
        let script = work.appendingPathComponent("loops.sh")
        try ("set -euo pipefail\ncd \"$(dirname \"$0\")\"\n" + block).write(to: script, atomically: true, encoding: .utf8)
        let result = try run("/bin/bash", [script.path], stdin: nil,
                             environment: ["PATH": Paths.binDirectory.path + ":/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        return work
    }

    /// A transcript without what differs from run to run (timings, the time of each reply).
    func stable(_ url: URL) throws -> [JSONObject] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            var object = try #require(try JSONParser.parse(String(line)).objectValue)
            object["timings"] = nil
            object["created"] = nil
            object["duration_ms"] = nil
            return object
        }
    }

    @Test func theThreeREADMEFormsGiveTheSameTranscript() throws {
        let work = try runREADMELoops()
        let loop = try stable(work.appendingPathComponent("transcript-loop.jsonl"))
        let shell = try stable(work.appendingPathComponent("transcript-shell.jsonl"))
        let pipeline = try stable(work.appendingPathComponent("transcript-pipeline.jsonl"))
        #expect(loop == shell)
        #expect(loop == pipeline)
        #expect(loop.first?["type"] == "tools")
        #expect(loop.compactMap { $0["role"]?.stringValue } == ["user", "assistant", "tool", "assistant", "tool", "assistant"])
        #expect(loop[3]["content"] == "18°C and cloudy in Paris")
        #expect(loop[5]["content"] == "Pack an umbrella.\n")
        #expect(loop.last?["content"] == "It is 18°C and cloudy in Paris: a light jacket, and pack an umbrella.")
    }

    @Test func streamedOutputFeedsToolsLikeCompletedOutput() throws {
        let agent = Paths.fixture("agent")
        let question = #"{"role":"user","content":"What should I wear in Paris today?"}"# + "\n"
        let model = ["-m", "mock/script", "--mock-script", agent.appendingPathComponent("replies.jsonl").path]
        let streamed = try run("llm-stream", model, stdin: question)
        let completed = try run("llm-complete", model, stdin: question)
        #expect(streamed.records.contains { $0["type"] == "delta" })
        let tools = ["exec", "-f", agent.appendingPathComponent("tools.yaml").path]
        let afterStream = try run("llm-tools", tools, stdin: streamed.stdout)
        let afterComplete = try run("llm-tools", tools, stdin: completed.stdout)
        #expect(afterStream.status == 0 && afterComplete.status == 0)
        #expect(afterStream.lastRecord?["content"] == "18°C and cloudy in Paris")
        #expect(afterStream.lastRecord?["content"] == afterComplete.lastRecord?["content"])
    }

    /// `llm-tools --help`'s example, `loop -f tools.yaml -- llm-complete … < question.jsonl`,
    /// with a question that brings no tools record: the model must still be told the tools.
    @Test func loopGivesTheModelTheToolsWhenTheInputHasNone() async throws {
        let server = try FakeServer()
        let fixture = try ToolsFixture("tools:\n  - {name: get_weather, description: Weather, parameters: {type: object}, command: [\"true\"]}\n")
        let question = #"{"role":"user","content":"What should I wear in Paris today?"}"# + "\n"
        let result = try run("llm-tools", ["loop", "-f", fixture.toolsFile.path, "--", Paths.binary("llm-complete").path,
                                           "-m", "llamacpp/default", "--api-base", server.baseURL], stdin: question)
        #expect(result.status == 0, "\(result.stderr)")
        let sent = try #require(try await server.lastBody())
        #expect(sent["tools"]?.arrayValue?.compactMap { $0["function"]?["name"]?.stringValue } == ["get_weather"], "\(JSONValue.object(sent).serialized)")
        #expect(result.records.first?["type"] == "tools", "the transcript says what the model was given")
        #expect(result.records.filter { $0["type"] == "tools" }.count == 1)
    }

    @Test func maxTurnsStopsAModelThatNeverStops() throws {
        let work = Paths.temporaryDirectory()
        let replies = work.appendingPathComponent("replies.jsonl")
        let call = #"{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"nope","arguments":"{}"}}]}"#
        try Array(repeating: call, count: 10).joined(separator: "\n").write(to: replies, atomically: true, encoding: .utf8)
        let result = try run("llm-tools", ["loop", "--max-turns", "3", "--", Paths.binary("llm-complete").path, "-m", "mock/script",
                                           "--mock-script", replies.path], stdin: #"{"role":"user","content":"go"}"# + "\n")
        #expect(result.status == 1)
        #expect(result.stderr.contains("stopped after 3 model turn(s)"))
        let roles = result.records.compactMap { $0["role"]?.stringValue }
        #expect(roles == ["user", "assistant", "tool", "assistant", "tool", "assistant", "tool"], "the conversation so far is kept")
    }

    @Test func loopPassesOnTheModelCommandsFailure() throws {
        let result = try run("llm-tools", ["loop", "--", Paths.binary("llm-complete").path, "-m", "llamacpp/x",
                                           "--api-base", "http://127.0.0.1:9/v1"], stdin: #"{"role":"user","content":"go"}"# + "\n")
        #expect(result.status == 69)
        #expect(result.lastRecord?["type"] == "error")
    }

    @Test func loopNeedsACommand() throws {
        #expect(try run("llm-tools", ["loop"], stdin: "").status == 64)
    }
}
