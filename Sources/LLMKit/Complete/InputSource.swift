/// A decoded input line, with what is needed to copy it through and to blame it.
public struct InputLine: Sendable {
    public var number: Int
    /// The bytes as read, written back unchanged when the record passes through.
    public var raw: [UInt8]
    public var record: Record
}

/// Reads stdin as DESIGN §2 describes: JSON Lines when the first line is a JSON object,
/// otherwise plain text that is the prompt.
///
/// Only the first line decides, and only a line that starts like a JSONL record (`{"`)
/// does: a pretty-printed JSON document (`{` alone on line 1) or prose is a prompt, while
/// a broken record in a JSONL stream is an error naming its line.
public struct InputSource {
    public enum Start: Sendable {
        case empty
        case text(String)
        case records(InputLine)
    }

    private var reader: LineReader
    /// The last line that failed was a `tools` or `options` record: a batch cannot answer
    /// it alone and go on, since it changes how every later line is asked.
    public private(set) var brokenLineWasSettings = false

    public init(reader: LineReader) { self.reader = reader }

    public mutating func start() throws(LLMError) -> Start {
        var firstLine = true
        while var line = try reader.next() {
            // A byte order mark (Windows editors write one) is not part of the first line.
            if firstLine, line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
            firstLine = false
            guard let first = line.firstIndex(where: { !Self.isSpace($0) }) else { continue }
            if line[first] == UInt8(ascii: "{"), line.count > first + 1,
               line[line.index(after: first)...].first(where: { !Self.isSpace($0) }) == UInt8(ascii: "\"")
                || line[line.index(after: first)...].first(where: { !Self.isSpace($0) }) == UInt8(ascii: "}")
            {
                return .records(try decode(line, number: reader.lineNumber))
            }
            var text = line
            text.append(0x0A)
            text.append(contentsOf: try reader.readRest())
            return .text(String(decoding: text, as: UTF8.self))
        }
        return .empty
    }

    /// The next non-blank record, or `nil` at end of input.
    public mutating func next() throws(LLMError) -> InputLine? {
        while let line = try reader.next() {
            if line.allSatisfy(Self.isSpace) { continue }
            return try decode(line, number: reader.lineNumber)
        }
        return nil
    }

    private mutating func decode(_ line: [UInt8], number: Int) throws(LLMError) -> InputLine {
        brokenLineWasSettings = false
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw LLMError(.invalidInput, "line \(number): not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw LLMError(.invalidInput, "line \(number): a record must be a JSON object")
        }
        do {
            return InputLine(number: number, raw: line, record: try Record(object))
        } catch {
            brokenLineWasSettings = ["tools", "options"].contains(object["type"]?.stringValue ?? "")
            throw LLMError(.invalidInput, "line \(number): \(error.message)")
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}
