@testable import LLMKit
import Testing

@Suite struct StreamAssemblyTests {
    static let ordinary: [String] = [
        #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"line\nbreak \"quoted\" \\ back \ud83d\ude00 caf\u00e9"},"logprobs":null,"finish_reason":null}]}"#,
        #"{"id": "c1", "choices": [{"index": 0, "delta": {"reasoning_content": "think"}, "finish_reason": null}]}"#,
        #"{"choices":[{"index":0,"delta":{"reasoning":"also think","content":null}}],"obfuscation":"abc"}"#,
        #"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#,
        #"{"choices":[]}"#,
    ]

    static let unusual: [String] = [
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":""}}]}}]}"#,
        #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#,
        #"{"error":{"message":"boom"}}"#,
        #"{"choices":[{"index":0,"delta":{"content":"x"}}],"timings":{"predicted_per_second":50}}"#,
        #"{"choices":[{"index":1,"delta":{"content":"second choice"}}]}"#,
        #"{"choices":[{"index":0,"delta":{"content":"x"}}]} trailing"#,
    ]

    func scan(_ text: String) -> OpenAIChunkScan? {
        var text = text
        return text.withUTF8 { OpenAIChunkScan.scan($0) }
    }

    @Test(arguments: ordinary)
    func fastPathAgreesWithTheFullParser(_ chunk: String) throws {
        let fast = try #require(scan(chunk))
        let full = try JSONParser.parse(chunk)
        let delta = full["choices"]?.arrayValue?.first?["delta"]
        #expect(fast.content == delta?["content"]?.stringValue)
        #expect(fast.reasoning == (delta?["reasoning_content"] ?? delta?["reasoning"])?.stringValue)
        #expect(fast.finishReason == full["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue)
        #expect(fast.id == full["id"]?.stringValue)
    }

    @Test(arguments: unusual)
    func unusualChunksTakeTheFullParser(_ chunk: String) {
        #expect(scan(chunk) == nil)
    }

    /// After one ordinary chunk, chunks that differ only in their text take the template;
    /// the deltas must be exactly what the full parser would give.
    @Test func templateAgreesAndFallsBack() throws {
        var assembler = OpenAIStreamAssembler(provider: "p")
        let prefix = #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"#
        let suffix = #"},"finish_reason":null}]}"#
        let texts = [#""first""#, #""esc \"q\" \n \ud83d\ude00 caf\u00e9""#, #""""#, #""plain""#]
        var seen: [String] = []
        for literal in texts {
            for delta in try assembler.consume(SSEEvent(data: prefix + literal + suffix)) {
                if case .content(let text) = delta { seen.append(text) }
            }
        }
        #expect(seen == ["first", "esc \"q\" \n 😀 café", "plain"])
        // Same prefix, another suffix: a finish reason must not be lost to the template.
        _ = try assembler.consume(SSEEvent(data: prefix + #""x""# + #"},"finish_reason":"length"}]}"#))
        #expect(assembler.summary.finishReason == "length")
        // Same prefix and suffix around something that is not a string: parsed in full.
        #expect(throws: LLMError.self) { try assembler.consume(SSEEvent(data: prefix + "12" + suffix + "}")) }
        let nullContent = try assembler.consume(SSEEvent(data: prefix + "null" + suffix))
        #expect(nullContent.isEmpty)
    }

    /// Text that needs no decoding is read where it lies; anything else is left to the
    /// template's full read.
    @Test func verbatimTextIsOnlyPlainText() throws {
        let prefix = #"{"id":"c1","choices":[{"index":0,"delta":{"content":"#
        let suffix = #"},"finish_reason":null}]}"#
        var first = prefix + #""a""# + suffix
        let template = try #require(first.withUTF8 { OpenAIChunkTemplate($0, scan: OpenAIChunkScan.scan($0)!) })
        func verbatim(_ literal: String, _ tail: String = suffix) -> String? {
            var event = prefix + literal + tail
            return event.withUTF8 { bytes in
                template.verbatimText(at: bytes).flatMap { $0.end == bytes.count ? String(decoding: bytes[$0.text], as: UTF8.self) : nil }
            }
        }
        #expect(verbatim(#""hello, world \u007f""#) == nil)
        #expect(verbatim(#""hello, world ~""#) == "hello, world ~")
        #expect(verbatim(#""""#) == "")
        #expect(verbatim(#""tab\there""#) == nil)
        #expect(verbatim("\"caf\u{e9}\"") == nil)
        #expect(verbatim("\"a\u{1}b\"") == nil)
        #expect(verbatim(#""a""#, #"},"finish_reason":"stop"}]}"#) == nil)
        #expect(verbatim(#""a""#, suffix + " ") == nil)
        #expect(verbatim(#""a"#, "") == nil)
        #expect(verbatim("12", suffix) == nil)
        // Bytes past the event: it ends where the template says.
        var two = prefix + #""a""# + suffix + "\n\ndata: more"
        let found = two.withUTF8 { template.verbatimText(at: $0) }
        #expect(found?.text == prefix.utf8.count + 1..<prefix.utf8.count + 2)
        #expect(found?.end == (prefix + #""a""# + suffix).utf8.count)
    }

    /// However a stream is cut into reads, the reply is the one the full parser gives.
    @Test(arguments: [true, false])
    func readsOfAnyLengthGiveTheSameReply(_ joins: Bool) throws {
        let prefix = #"data: {"id":"c1","choices":[{"index":0,"delta":{"content":"#
        let suffix = "},\"finish_reason\":null}]}\n\n"
        let literals = [#""""#, #""plain ""#, #""esc \"q\" \n \ud83d\ude00 caf\u00e9""#, "\"caf\u{e9} \"", #""more""#, "null", #""x""#]
        var stream = literals.map { prefix + $0 + suffix }.joined()
        stream += #"data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"# + "\n\ndata: [DONE]\n\n"
        stream += prefix + #""after the end""# + suffix
        let expected = "plain esc \"q\" \n 😀 cafécafé morex"
        for size in [1, 2, 7, 64, stream.utf8.count] {
            var state = StreamState(framing: .sse(), assembler: OpenAIStreamAssembler(provider: "p"), joinsPieces: joins)
            let collector = StreamCollector(joinsPieces: joins) { _ in true }
            let bytes = Array(stream.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                _ = bytes[start..<min(start + size, bytes.count)].withUnsafeBytes { state.feed($0, collector) }
            }
            state.finish(collector)
            let message = collector.message(summary: state.summary)
            #expect(message.text == expected, "reads of \(size)")
            #expect(message.finishReason == "length")
        }
    }

    @Test func fragmentsAssembleIntoCalls() throws {
        var assembler = OpenAIStreamAssembler(provider: "p")
        let collector = StreamCollector { _ in true }
        let events = [
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":""}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"#,
            #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
            "[DONE]",
        ]
        for data in events {
            for delta in try assembler.consume(SSEEvent(data: data)) { collector.receive(delta) }
        }
        #expect(assembler.summary.ended)
        #expect(assembler.summary.finishReason == "tool_calls", "stop after tool calls means tool_calls")
        let message = collector.message(summary: assembler.summary)
        #expect(message.toolCalls == [ToolCall(id: "a", name: "f", arguments: #"{"x":1}"#), ToolCall(id: "b", name: "g", arguments: "{}")])
        #expect(message.content == nil)
    }

    @Test func midStreamErrorsThrow() {
        var assembler = OpenAIStreamAssembler(provider: "p")
        #expect(throws: LLMError.self) { try assembler.consume(SSEEvent(data: #"{"error":{"message":"boom"}}"#)) }
        #expect(throws: LLMError.self) { try assembler.consume(SSEEvent(type: "error", data: "slot unavailable")) }
    }

    @Test func collectorBatchesUntilFlush() {
        let seen = Box()
        let collector = StreamCollector { deltas in seen.append(deltas.count); return true }
        collector.receive(.content("a"))
        collector.receive(.content("b"))
        #expect(seen.values.isEmpty)
        #expect(collector.flush())
        collector.finishForwarding()
        // One forward call: two pieces, or one joined piece when a key registered by another
        // test in this process could start with these letters (it is held back, then joined).
        #expect(seen.values == [2] || seen.values == [1], "\(seen.values)")
        #expect(collector.message(summary: StreamSummary()).text == "ab")
    }

    /// A fast server puts thousands of one-token events in one read; each piece passed on
    /// costs a record, a copy and a write, so where only the text is wanted a read's
    /// adjacent pieces of text leave as one. Order across kinds is kept, and the next read's
    /// text is a piece of its own. Where pieces are counted, each stays one. (The texts end
    /// in "." so that no key another test registered could be held back here.)
    @Test(arguments: [true, false])
    func oneReadsTextLeavesAsOnePieceWhenOnlyTextIsWanted(_ joins: Bool) {
        let seen = DeltaBatches()
        let collector = StreamCollector(joinsPieces: joins) { seen.append($0); return true }
        var state = StreamState(framing: .sse(), assembler: OpenAIStreamAssembler(provider: "p"), joinsPieces: joins)
        func event(_ delta: String) -> String { "data: {\"choices\":[{\"index\":0,\"delta\":\(delta)}]}\n\n" }
        let read = event(#"{"content":"one."}"#) + event(#"{"content":" two."}"#)
            + event(#"{"tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":""}}]}"#)
            + event(#"{"content":"three."}"#) + event(#"{"reasoning_content":"hmm."}"#) + event(#"{"reasoning_content":" ok."}"#)
        for bytes in [read, event(#"{"content":"four."}"#)] {
            #expect(Array(bytes.utf8).withUnsafeBytes { state.feed($0, collector) })
        }
        let call = StreamDelta.toolCall(index: 0, id: "t", name: "f", arguments: "")
        if joins {
            #expect(seen.batches == [[.content("one. two."), call, .content("three."), .reasoning("hmm. ok.")], [.content("four.")]])
        } else {
            #expect(seen.batches == [[.content("one."), .content(" two."), call, .content("three."), .reasoning("hmm."), .reasoning(" ok.")],
                                     [.content("four.")]])
        }
        #expect(collector.message(summary: StreamSummary()).text == "one. two.three.four.")
    }
}

final class DeltaBatches: @unchecked Sendable {
    private(set) var batches: [[StreamDelta]] = []
    func append(_ deltas: [StreamDelta]) { batches.append(deltas) }
}

final class Box: @unchecked Sendable {
    private(set) var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}
