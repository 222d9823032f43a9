@testable import LLMKit
import Testing

func sseEvents(_ chunks: [[UInt8]]) -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for chunk in chunks { parser.feed(chunk) { events.append($0) } }
    parser.finish { events.append($0) }
    return events
}

/// Every way of cutting `bytes` in two, one byte at a time, and a few random cuttings.
func chunkings(_ bytes: [UInt8]) -> [[[UInt8]]] {
    var all: [[[UInt8]]] = [[bytes], bytes.map { [$0] }]
    for cut in 0...bytes.count { all.append([Array(bytes[..<cut]), Array(bytes[cut...])]) }
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<20 {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let size = Int.random(in: 1...7, using: &generator)
            chunks.append(Array(bytes[index..<min(index + size, bytes.count)]))
            index += size
        }
        all.append(chunks)
    }
    return all
}

@Suite struct SSEParserTests {
    static let fixtures: [String] = [
        // OpenAI style, with a comment keep-alive, CRLF, and multi-byte text.
        ": OPENROUTER PROCESSING\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"héllo 😀\"}}]}\r\n\r\ndata: [DONE]\r\n\r\n",
        // Anthropic style named events, lone CR line ends.
        "event: message_start\rdata: {\"type\":\"message_start\"}\r\revent: ping\rdata: {\"type\":\"ping\"}\r\r",
        // Multi-line data, id, retry, a field with no colon, unknown fields.
        "id: 7\nretry: 1500\ndata: line one\ndata:line two\ndata\nfoo: bar\n\n",
        // A BOM, then an event, then a stream that ends without a blank line.
        "\u{FEFF}data: first\n\ndata: unterminated",
        // llama.cpp's legacy error field.
        "data: {\"a\":1}\n\nerror: {\"message\":\"boom\"}\n\n",
        // The error field after a data line of the same event.
        "data: first\nerror: second\n\n",
    ]

    /// A caller is offered the bytes only where a new event could begin, never inside one,
    /// and what it takes is skipped as if parsed and dispatched: the next event is intact.
    @Test func skimmingIsOfferedOnlyBetweenEvents() {
        var parser = SSEParser()
        var offered: [String] = []
        var events: [SSEEvent] = []
        let stream = "data: a\n\nevent: e\ndata: b\n\n: c\ndata: q\n\nid: 9\ndata: d\n\n"
        Array(stream.utf8).withUnsafeBytes { chunk in
            parser.feedViews(chunk, skim: { rest in
                offered.append(String(decoding: rest.prefix(7), as: UTF8.self))
                return rest.starts(with: "data: q\n\n".utf8) ? 9 : 0
            }, emit: { events.append($0.event) })
        }
        // Not inside the `e` event, nor at its blank line; an `id` line leaves no event pending.
        #expect(offered == ["data: a", "event: ", ": c\ndat", "data: q", "id: 9\nd", "data: d"])
        #expect(events == [SSEEvent(data: "a"), SSEEvent(type: "e", data: "b"), SSEEvent(data: "d", lastEventID: "9")])
    }

    /// A one-line event's data is read where it lies in the chunk; when its blank line is
    /// in a later chunk, the data must have been kept: the caller reuses its buffer.
    @Test func dataHeldOverAChunkBoundaryOutlivesTheChunksBuffer() {
        for (first, second, expected) in [("data: held\n", "\n", "held"), ("data: one\n", "data: two\n\n", "one\ntwo"),
                                          ("data: one\n", "error: two\n\n", "one\ntwo")] {
            var parser = SSEParser()
            var events: [SSEEvent] = []
            var buffer = Array(first.utf8)
            buffer.withUnsafeBytes { parser.feed($0) { events.append($0) } }
            for i in buffer.indices { buffer[i] = UInt8(ascii: "X") }
            buffer = Array(second.utf8)
            buffer.withUnsafeBytes { parser.feed($0) { events.append($0) } }
            #expect(events.map(\.data) == [expected], "\(first) + \(second)")
        }
    }

    @Test(arguments: fixtures)
    func everySplitGivesTheSameEvents(_ fixture: String) {
        let bytes = Array(fixture.utf8)
        let expected = sseEvents([bytes])
        #expect(!expected.isEmpty)
        for chunks in chunkings(bytes) {
            #expect(sseEvents(chunks) == expected)
        }
    }

    @Test func fieldsPerTheSpec() {
        let events = sseEvents([Array(Self.fixtures[2].utf8)])
        #expect(events == [SSEEvent(data: "line one\nline two\n", lastEventID: "7")])
        var parser = SSEParser()
        parser.feed(Array(Self.fixtures[2].utf8)) { _ in }
        #expect(parser.reconnectionTime == 1500)
    }

    @Test func namedEventsAndLoneCR() {
        #expect(sseEvents([Array(Self.fixtures[1].utf8)]).map(\.type) == ["message_start", "ping"])
    }

    @Test func bomIsDroppedOnceAndUnterminatedEventIsKept() {
        #expect(sseEvents([Array(Self.fixtures[3].utf8)]).map(\.data) == ["first", "unterminated"])
        // A BOM later in the stream is data, not dropped.
        #expect(sseEvents([Array("data: a\n\ndata: \u{FEFF}b\n\n".utf8)]).map(\.data) == ["a", "\u{FEFF}b"])
    }

    @Test func onlyOneSpaceIsRemovedAndEmptyEventsAreNotDispatched() {
        #expect(sseEvents([Array("data:  two spaces\n\nevent: x\n\n:comment\n\n".utf8)]) == [SSEEvent(data: " two spaces")])
    }

    @Test func crlfSplitBetweenChunksIsOneLineEnd() {
        // If CR and LF counted twice, "b" would be a separate event.
        #expect(sseEvents([Array("data: a\r".utf8), Array("\ndata: b\r\n\r\n".utf8)]) == [SSEEvent(data: "a\nb")])
    }

    @Test func invalidUTF8BecomesReplacementCharacters() {
        #expect(sseEvents([[0x64, 0x61, 0x74, 0x61, 0x3A, 0x20, 0xFF, 0x41, 0x0A, 0x0A]]) == [SSEEvent(data: "\u{FFFD}A")])
    }

    @Test func legacyErrorFieldIsAnErrorEvent() {
        let events = sseEvents([Array(Self.fixtures[4].utf8)])
        #expect(events.last == SSEEvent(type: "error", data: "{\"message\":\"boom\"}"))
    }
}

@Suite struct NDJSONParserTests {
    func lines(_ chunks: [[UInt8]]) -> [String] {
        var parser = NDJSONParser()
        var out: [String] = []
        for chunk in chunks { parser.feed(chunk) { out.append(String(decoding: $0, as: UTF8.self)) } }
        parser.finish { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    @Test func everySplitGivesTheSameLines() {
        let text = "{\"message\":{\"content\":\"héllo 😀\"},\"done\":false}\r\n\n  \n{\"done\":true,\"eval_count\":3}"
        let bytes = Array(text.utf8)
        let expected = lines([bytes])
        #expect(expected == ["{\"message\":{\"content\":\"héllo 😀\"},\"done\":false}", "{\"done\":true,\"eval_count\":3}"])
        for chunks in chunkings(bytes) { #expect(lines(chunks) == expected) }
    }
}
