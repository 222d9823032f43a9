import Foundation
@testable import LLMKit
import Testing

/// Feeds bytes through a real pipe, as stdin would.
func reader(_ text: String, chunkSize: Int = 64 << 10, maxLineBytes: Int = LineReader.defaultMaxLineBytes) -> LineReader {
    let pipe = Pipe()
    let data = Data(text.utf8)
    DispatchQueue.global().async {
        try? pipe.fileHandleForWriting.write(contentsOf: data)
        try? pipe.fileHandleForWriting.close()
    }
    // A duplicate, because the Pipe closes its own descriptor when it is released.
    return LineReader(fd: dup(pipe.fileHandleForReading.fileDescriptor), maxLineBytes: maxLineBytes, chunkSize: chunkSize)
}

func lines(_ text: String, chunkSize: Int = 64 << 10) throws -> [String] {
    var r = reader(text, chunkSize: chunkSize)
    var out: [String] = []
    while let line = try r.next() { out.append(String(decoding: line, as: UTF8.self)) }
    return out
}

@Suite struct LineReaderTests {
    @Test func splitsOnNewlinesAndStripsCR() throws {
        #expect(try lines("a\r\nb\n\nc") == ["a", "b", "", "c"])
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func anyChunkingGivesTheSameLines(chunk: Int) throws {
        let text = "{\"role\":\"user\",\"content\":\"héllo 😀\"}\r\nsecond line\n\nthird"
        #expect(try lines(text, chunkSize: chunk) == ["{\"role\":\"user\",\"content\":\"héllo 😀\"}", "second line", "", "third"])
    }

    /// From a file, one read can bring a whole over-long line with its newline: it is
    /// refused all the same (with a pipe's small reads it always was).
    @Test func rejectsAHugeLineReadInOneGo() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmkit-long-\(UUID().uuidString)").path
        try ("ok\n" + String(repeating: "x", count: 3 << 20) + "\nlast\n").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var r = LineReader(fd: fd, maxLineBytes: 1 << 20, chunkSize: 8 << 20)
        _ = try r.next()
        #expect(throws: LLMError.self) { _ = try r.next() }
    }

    @Test func rejectsAHugeLineNamingIt() throws {
        var r = reader("ok\n" + String(repeating: "x", count: 3 << 20) + "\n", chunkSize: 4096, maxLineBytes: 1 << 20)
        _ = try r.next()
        #expect {
            _ = try r.next()
        } throws: { error in
            let e = error as! LLMError
            return e.kind == .lineTooLong && e.message.contains("line 2")
        }
    }

    @Test func longLinesBelowTheLimitAreRead() throws {
        let long = String(repeating: "y", count: 300_000)
        #expect(try lines(long + "\nz\n", chunkSize: 1024) == [long, "z"])
    }
}

@Suite struct InputSourceTests {
    func start(_ text: String) throws -> InputSource.Start {
        var source = InputSource(reader: reader(text))
        return try source.start()
    }

    @Test func proseIsText() throws {
        guard case .text(let t) = try start("hello\nworld\n") else { Issue.record("not text"); return }
        #expect(t == "hello\nworld\n")
    }

    @Test func prettyPrintedJSONIsText() throws {
        guard case .text = try start("{\n  \"a\": 1\n}\n") else { Issue.record("not text"); return }
    }

    @Test func emptyInput() throws {
        guard case .empty = try start("\n\n") else { Issue.record("not empty"); return }
    }

    @Test func recordsAreClassified() throws {
        let text = """
            {"type":"tools","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}
            {"type":"options","temperature":0.5}
            {"role":"user","content":"hi"}
            {"type":"cost","usd":1}

            """
        var source = InputSource(reader: reader(text))
        guard case .records(let first) = try source.start(), case .tools(let tools) = first.record else {
            Issue.record("expected tools first"); return
        }
        #expect(tools.map(\.name) == ["f"])
        guard case .options(let options)? = try source.next()?.record else { Issue.record("options"); return }
        #expect(options["temperature"] == 0.5)
        guard case .message(let message)? = try source.next()?.record else { Issue.record("message"); return }
        #expect(message.text == "hi")
        guard case .other(let other)? = try source.next()?.record else { Issue.record("other"); return }
        #expect(other["type"] == "cost")
        #expect(try source.next() == nil)
    }

    @Test func batchLinesOfBothShapes() throws {
        var source = InputSource(reader: reader("""
            {"id":7,"messages":[{"role":"user","content":"a"}],"temperature":0}
            {"custom_id":"x","method":"POST","url":"/v1/chat/completions","body":{"messages":[]}}

            """))
        guard case .records(let first) = try source.start(), case .batch(let a) = first.record else { Issue.record("batch"); return }
        #expect(a.idKey == "id" && a.id == 7 && a.body["temperature"] == 0)
        guard case .batch(let b)? = try source.next()?.record else { Issue.record("batch api"); return }
        #expect(b.idKey == "custom_id" && b.id == "x")
    }

    @Test func malformedLineIsNamed() throws {
        var source = InputSource(reader: reader("{\"role\":\"user\",\"content\":\"a\"}\n\n[1,2]\n"))
        _ = try source.start()
        #expect {
            _ = try source.next()
        } throws: { ($0 as! LLMError).message.hasPrefix("line 3:") && ($0 as! LLMError).exitStatus == .dataError }
    }

    @Test func invalidMessageIsNamed() throws {
        var source = InputSource(reader: reader("{\"role\":\"user\",\"content\":5}\n"))
        #expect { _ = try source.start() } throws: { ($0 as! LLMError).message.hasPrefix("line 1:") }
    }
}

@Suite struct ChatMessageTests {
    @Test func wireObjectDropsLLMKitMetadata() throws {
        let message = try ChatMessage(json: try JSONParser.parse(#"{"role":"assistant","content":"x","model":"a/b","usage":{"input_tokens":1},"timings":{"total_ms":1},"finish_reason":"stop","reasoning":"r","cost":0.1,"id":"i"}"#).objectValue!)
        #expect(message.wireObject == ["role": "assistant", "content": "x"])
        #expect(message.record["cost"] == 0.1, "unknown fields survive on the record")
    }

    @Test func toolCallsWithObjectArguments() throws {
        let message = try ChatMessage(json: try JSONParser.parse(#"{"role":"assistant","content":null,"tool_calls":[{"function":{"name":"f","arguments":{"a":1}}}]}"#).objectValue!)
        #expect(message.toolCalls == [ToolCall(id: "call_0", name: "f", arguments: #"{"a":1}"#)])
    }

    @Test func textOfContentParts() throws {
        let message = try ChatMessage(json: try JSONParser.parse(#"{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]}"#).objectValue!)
        #expect(message.text == "a\nb")
    }
}
