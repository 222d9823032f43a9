import Foundation
import Testing
@testable import LLMKit

@Suite struct ServedRequestTests {
    @Test func readsAnOpenAIBody() throws {
        let body = #"{"model":"researcher","stream":true,"stream_options":{"include_usage":true},"user":"u1","max_completion_tokens":50,"temperature":0.2,"top_p":0.9,"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"messages":[{"role":"user","content":"hi"}]}"#
        let request = try ServedRequest(body: Array(body.utf8))
        #expect(request.agent == "researcher")
        #expect(request.stream && request.includeUsage)
        #expect(request.user == "u1")
        #expect(request.tools.map(\.name) == ["f"])
        #expect(request.options.maxTokens == 50)
        #expect(request.options.model == nil)
        #expect(request.optionsRecord == ["temperature": 0.2, "max_tokens": 50])
    }

    @Test func aBodyCannotChooseWhereOrAsWhom() {
        for field in [#""api_base":"http://evil""#, #""headers":{"x":"y"}"#, #""api_key_cmd":"sh""#] {
            let body = #"{"model":"a","messages":[{"role":"user","content":"hi"}],"# + field + "}"
            #expect(throws: LLMError.self) { try ServedRequest(body: Array(body.utf8)) }
        }
    }

    @Test func recognizesOpenWebUITaskRequests() throws {
        let task = try ServedRequest(body: Array(####"{"model":"a","messages":[{"role":"user","content":"### Task:\nGenerate a title"}]}"####.utf8))
        #expect(task.isClientTask)
        let chat = try ServedRequest(body: Array(####"{"model":"a","stream":true,"messages":[{"role":"user","content":"### Task: x"}]}"####.utf8))
        #expect(!chat.isClientTask)
    }
}

@Suite struct ChatCompletionEncoderTests {
    @Test func writesOpenAIShapes() {
        let encoder = ChatCompletionEncoder(model: "agent", id: "chatcmpl-1", created: 7)
        var reply = ChatMessage(role: "assistant", content: .string("hi"))
        reply.finishReason = "max_tokens"
        let completion = encoder.completion(reply, usage: Usage(inputTokens: 3, outputTokens: 2))
        #expect(completion.serialized == #"{"id":"chatcmpl-1","object":"chat.completion","created":7,"model":"agent","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#)
        #expect(String(decoding: ChatCompletionEncoder.event(encoder.contentChunk("a")), as: UTF8.self)
                == #"data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"agent","choices":[{"index":0,"delta":{"content":"a"},"logprobs":null,"finish_reason":null}]}"# + "\n\n")
        let calls = encoder.toolCallsChunk([ToolCall(id: "c1", name: "f", arguments: "{}")])
        #expect(calls["choices"]?.arrayValue?.first?["delta"]?["tool_calls"]?.arrayValue?.first?["index"] == 0)
        #expect(encoder.usageChunk(Usage(inputTokens: 1, outputTokens: 2))?["choices"] == [])
    }

    /// DESIGN §2: a count nobody reported is left out, not sent as 0.
    @Test func unknownUsageIsLeftOut() {
        let encoder = ChatCompletionEncoder(model: "agent", id: "chatcmpl-1", created: 7)
        let reply = ChatMessage(role: "assistant", content: .string("hi"))
        #expect(encoder.completion(reply, usage: nil)["usage"] == nil)
        #expect(encoder.completion(reply, usage: Usage(inputTokens: 3))["usage"] == nil)
        #expect(encoder.usageChunk(nil) == nil)
        #expect(encoder.usageChunk(Usage(outputTokens: 1)) == nil)
    }
}

@Suite struct AgentTranscriptTests {
    let input: [ChatMessage] = [.user("weather?")]

    func read(_ lines: [String], showSteps: Bool = false) throws -> (AgentTranscript, [AgentEvent]) {
        var transcript = AgentTranscript(input: input, showSteps: showSteps)
        var events: [AgentEvent] = []
        for line in lines { events += try transcript.read(Array(line.utf8)) }
        return (transcript, events)
    }

    @Test func passesOverTheCopiedInputAndStreamsDeltas() throws {
        let (transcript, events) = try read([
            #"{"type":"options","temperature":0}"#, #"{"role":"system","content":"set by -s"}"#, #"{"role":"user","content":"weather?"}"#,
            #"{"type":"delta","content":"Sun"}"#, #"{"type":"delta","content":"ny"}"#,
            #"{"role":"assistant","content":"Sunny","usage":{"input_tokens":5,"output_tokens":2}}"#,
        ])
        #expect(events == [.text("Sun"), .text("ny")])
        #expect(transcript.finalReply?.text == "Sunny")
        #expect(transcript.replyStreamed)
        #expect(transcript.usage == Usage(inputTokens: 5, outputTokens: 2))
    }

    @Test func toolTurnsAreHiddenUnlessStepsAreShownAndUsageAddsUp() throws {
        let lines = [
            #"{"role":"user","content":"weather?"}"#,
            #"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}],"usage":{"input_tokens":5,"output_tokens":1}}"#,
            #"{"role":"tool","tool_call_id":"c1","content":"18°C"}"#,
            #"{"role":"assistant","content":"It is 18°C.","usage":{"input_tokens":9,"output_tokens":4}}"#,
        ]
        let (hidden, none) = try read(lines)
        #expect(none.isEmpty)
        #expect(hidden.finalReply?.text == "It is 18°C.")
        #expect(!hidden.replyStreamed)
        #expect(hidden.usage == Usage(inputTokens: 14, outputTokens: 5))
        let (_, steps) = try read(lines, showSteps: true)
        #expect(steps.count == 2)
        #expect(steps.allSatisfy { if case .step = $0 { true } else { false } })
    }

    @Test func callsTheAgentDidNotRunAreTheClients() throws {
        let (transcript, _) = try read([#"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}"#])
        #expect(transcript.finalReply?.toolCalls.map(\.name) == ["f"])
        let (ran, _) = try read([#"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}"#,
                                 #"{"role":"tool","tool_call_id":"c1","content":"x"}"#])
        #expect(ran.finalReply == nil)
    }

    @Test func aLineThatIsNotARecordIsAnError() throws {
        #expect(throws: LLMError.self) { try read(["hello"]) }
        let (transcript, _) = try read([#"{"type":"error","code":"rate_limited","message":"slow down"}"#])
        #expect(transcript.error?.kind == .rateLimited)
    }

    @Test func aCommandThatDoesNotCopyItsInputStillAnswers() throws {
        let (transcript, _) = try read([#"{"role":"assistant","content":"hi"}"#])
        #expect(transcript.finalReply?.text == "hi")
    }
}

@Suite struct AgentsFileTests {
    func parse(_ yaml: String) throws -> AgentsFile {
        try AgentsFile.parse(YAMLValue.parse(yaml, source: "agents.yaml"), source: "agents.yaml", directory: "/srv")
    }

    @Test func readsBothKindsOfAgent() throws {
        let file = try parse("""
            agents:
              - name: researcher
                command: [llm-tools, loop]
                workdir: sessions/{user}
                show_steps: true
                timeout: 30
              - name: fast
                model: local
                passthrough: true
            """)
        #expect(file.agents.map(\.name) == ["researcher", "fast"])
        #expect(file.agents[0].answerer == .command(["llm-tools", "loop"]))
        #expect(file.agents[0].workdir == "/srv/sessions/{user}")
        #expect(file.agents[1].passthrough)
    }

    /// A command's files are the agents file's neighbours, wherever the command runs.
    @Test func aCommandsFilesAreFoundBesideTheAgentsFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agents-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "tools: []\n".write(to: folder.appendingPathComponent("tools.yaml"), atomically: true, encoding: .utf8)
        let yaml = "agents:\n  - name: a\n    command: [./bin/agent, -f, tools.yaml, --root, data, missing.yaml, ., llm-stream]\n"
        let file = try AgentsFile.parse(YAMLValue.parse(yaml, source: "agents.yaml"), source: "agents.yaml", directory: folder.path)
        #expect(file.agents[0].answerer == .command([folder.path + "/bin/agent", "-f", folder.path + "/tools.yaml", "--root", "data",
                                                     "missing.yaml", ".", "llm-stream"]))
    }

    @Test func anAgentsSystemPromptStandsAlone() {
        var agent = AgentDefinition(name: "a", answerer: .model("m"))
        let messages: [ChatMessage] = [.system("one"), ChatMessage(role: "developer", content: .string("two")), .user("hi"), .system("three")]
        #expect(agent.conversation(messages) == messages)
        agent.system = "ours"
        #expect(agent.conversation(messages) == [.system("ours"), .user("hi")])
    }

    @Test(arguments: [
        "agents: []",
        "agents:\n  - name: a\n",
        "agents:\n  - name: a\n    model: x\n    command: [y]\n",
        "agents:\n  - name: a\n    model: x\n  - name: a\n    model: y\n",
        "agents:\n  - name: a b\n    model: x\n",
        "agents:\n  - name: a\n    model: x\n    modle: y\n",
        "agents:\n  - name: a\n    command: [x]\n    workdir: s/u{user}\n",
        "agents:\n  - name: a\n    command: [x]\n    workdir: ../{user}\n",
        "agents:\n  - name: a\n    command: [x]\n    passthrough: true\n",
        "agents:\n  - name: a\n    command: \"sh -c x\"\n",
    ])
    func refusesMistakes(_ yaml: String) {
        #expect(throws: LLMError.self) { try parse(yaml) }
    }
}
