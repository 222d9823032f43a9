/// The invariants the fuzz targets (`Fuzz/`) check, one function per target. Each takes
/// any bytes and traps when an invariant breaks, which is what a fuzzer looks for. They
/// live in the library so that the unit tests run the committed corpus through the same
/// checks, and so that they can see what is internal.
public enum FuzzChecks {
    /// The JSON parser: what it accepts survives writing and reading back unchanged.
    public static func json(_ bytes: [UInt8]) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let again = try? JSONParser.parse(value.serialized)
        precondition(again == value, "a parsed JSON value does not survive being written and read back")
    }

    /// The tree-free chunk scanner against the parser: whatever the scanner accepts, the
    /// parser accepts too, with the same text, reasoning, finish reason and id.
    public static func chunkScan(_ bytes: [UInt8]) {
        guard let fast = bytes.withUnsafeBufferPointer({ OpenAIChunkScan.scan($0) }) else { return }
        guard let full = try? JSONParser.parse(bytes) else {
            preconditionFailure("the chunk scanner accepted what the JSON parser rejects")
        }
        let choice = full["choices"]?.arrayValue?.first
        let delta = choice?["delta"]
        precondition(fast.content == delta?["content"]?.stringValue, "the scanner and the parser disagree on content")
        precondition(fast.reasoning == (delta?["reasoning_content"] ?? delta?["reasoning"])?.stringValue, "they disagree on reasoning")
        precondition(fast.finishReason == choice?["finish_reason"]?.stringValue, "they disagree on finish_reason")
        precondition(fast.id == full["id"]?.stringValue, "they disagree on id")
    }

    /// The SSE parser gives the same events for the stream whole, byte by byte, and split
    /// at a point the input chooses; and read as an OpenAI stream, the bytes give the reply
    /// that consuming those events one by one gives.
    public static func sse(_ bytes: [UInt8]) {
        sameWhateverTheSplit(bytes, "SSE events") { pieces in
            var parser = SSEParser()
            var out: [SSEEvent] = []
            for piece in pieces { Array(piece).withUnsafeBytes { parser.feed($0) { out.append($0) } } }
            parser.finish { out.append($0) }
            return out
        }
        openAIReply(bytes)
    }

    /// A stream reader takes ordinary events by their bytes, past the parser and the
    /// assembler (`SSEParser`'s skim, `verbatimText`), and may join a read's pieces: the
    /// reply must be the one the events give consumed one by one, however the bytes are
    /// split.
    private static func openAIReply(_ bytes: [UInt8]) {
        var assembler = OpenAIStreamAssembler(provider: "fuzz")
        var content = "", reasoning = "", failed = false
        func consume(_ event: SSEEventView) {
            guard !failed, !assembler.summary.ended else { return }
            do throws(LLMError) {
                try assembler.consume(type: event.type, data: event.data) { delta in
                    if case .content(let text) = delta { content += text }
                    if case .reasoning(let text) = delta { reasoning += text }
                }
            } catch {
                failed = true
            }
        }
        var parser = SSEParser()
        bytes.withUnsafeBytes { parser.feedViews($0, emit: consume) }
        parser.finishViews(emit: consume)
        for joins in [false, true] {
            sameWhateverTheSplit(bytes, "OpenAI replies") { pieces in
                var state = StreamState(framing: .sse(), assembler: OpenAIStreamAssembler(provider: "fuzz"), joinsPieces: joins)
                let collector = StreamCollector(joinsPieces: joins) { _ in true }
                for piece in pieces { _ = Array(piece).withUnsafeBytes { state.feed($0, collector) } }
                state.finish(collector)
                let message = collector.message(summary: state.summary)
                precondition(message.text ?? "" == content && message.reasoning ?? "" == reasoning,
                             "a stream's reply differs from its events consumed one by one")
                precondition((state.error != nil) == failed, "a stream fails where its events do not, or the other way")
                return [message.text ?? "", message.reasoning ?? "", message.finishReason ?? "", "\(message.toolCalls.count)"]
            }
        }
    }

    /// The NDJSON framing gives the same lines however the bytes are split.
    public static func ndjson(_ bytes: [UInt8]) {
        sameWhateverTheSplit(bytes, "NDJSON lines") { pieces in
            var parser = NDJSONParser()
            var out: [[UInt8]] = []
            for piece in pieces { parser.feed(Array(piece)) { out.append($0) } }
            parser.finish { out.append($0) }
            return out
        }
    }

    /// What `parse` makes of the bytes is the same fed whole, byte by byte, and in two
    /// pieces cut where the input's first byte says.
    @discardableResult
    private static func sameWhateverTheSplit<T: Equatable>(_ bytes: [UInt8], _ what: String, _ parse: ([ArraySlice<UInt8>]) -> T) -> T {
        let whole = parse([bytes[...]])
        precondition(parse(bytes.indices.map { bytes[$0...$0] }) == whole, "\(what) differ when fed byte by byte")
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        precondition(parse([bytes[..<cut], bytes[cut...]]) == whole, "\(what) differ when split")
        return whole
    }

    /// The schema validator, on a schema and an instance (the input's first line and the
    /// rest): any answer, never a crash or a hang.
    public static func schema(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
        guard let schema = try? JSONParser.parse(Array(bytes[..<newline])),
              let instance = try? JSONParser.parse(Array(bytes[min(newline + 1, bytes.endIndex)...])) else { return }
        _ = JSONSchemaValidator.firstViolation(of: instance, against: schema)
        _ = JSONSchemaValidator.firstViolation(of: schema, against: schema)
    }

    /// The config and tools-file loaders: a configuration error or a value, never a crash.
    public static func config(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? ConfigLoader.parse(text)
        if let value = try? YAMLValue.parse(text, source: "fuzz") { _ = try? ToolsFile.parse(value, source: "fuzz") }
    }
}
