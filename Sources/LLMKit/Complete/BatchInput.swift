/// Batch input, line by line: each request with the stream's settings and tools in effect
/// where it stands, and every other record to pass through. What `-j` and `--batch-api`
/// both read.
struct BatchInput {
    enum Item {
        case request(InputLine, BatchRequest, options: RequestOptions, tools: [ToolDefinition])
        case passThrough(InputLine)
        /// A line that is not a record: a failed request, whose result stands in its place.
        case unreadable(LLMError)
    }

    private var pending: InputLine?
    private var options = RequestOptions()
    private var tools: [ToolDefinition] = []

    init(first: InputLine) {
        pending = first
    }

    /// The next item; nil at the end of the input. Throws what ends the batch: a line that
    /// would change every later line (bad `options` or `tools`), a message record, a line
    /// too long to read, a read that fails.
    mutating func next(from source: inout InputSource) throws(LLMError) -> Item? {
        let line: InputLine
        if let first = pending {
            line = first
            pending = nil
        } else {
            let read: InputLine?
            do throws(LLMError) {
                read = try source.next()
            } catch {
                // Not JSON, or not a record: that line fails, and the rest go on.
                guard error.kind == .invalidInput, !source.brokenLineWasSettings else { throw error }
                return .unreadable(error)
            }
            guard let read else { return nil }
            line = read
        }
        switch line.record {
        case .batch(let request):
            return .request(line, request, options: options, tools: tools)
        case .options(let object):
            do throws(LLMError) {
                options = try RequestOptions(json: object).over(options)
            } catch {
                throw LLMError(.invalidInput, "line \(line.number): \(error.message)")
            }
        case .tools(let definitions):
            tools = ToolDefinition.merging(definitions, into: tools)
        case .message:
            throw LLMError(.invalidInput, "line \(line.number): a message record in batch input; each batch line must hold a whole request with \"messages\"")
        case .other:
            break
        }
        return .passThrough(line)
    }
}
