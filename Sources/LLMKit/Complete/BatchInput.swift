/// Batch input, line by line: each request with the stream's settings and tools in effect
/// where it stands, and every other record to pass through. What `-j` and `--batch-api`
/// both read.
struct BatchInput {
    enum Item {
        case request(InputLine, BatchRequest, options: RequestOptions, tools: [ToolDefinition])
        case passThrough(InputLine)
    }

    private var pending: InputLine?
    private var options = RequestOptions()
    private var tools: [ToolDefinition] = []
    /// A bad `options` line still passes through; its error ends the input at the next read.
    private var failure: LLMError?

    init(first: InputLine) {
        pending = first
    }

    /// The next item; nil at the end of the input.
    mutating func next(from source: inout InputSource) throws(LLMError) -> Item? {
        if let failure { throw failure }
        let line: InputLine
        if let first = pending {
            line = first
            pending = nil
        } else if let read = try source.next() {
            line = read
        } else {
            return nil
        }
        switch line.record {
        case .batch(let request):
            return .request(line, request, options: options, tools: tools)
        case .options(let object):
            do throws(LLMError) {
                options = try RequestOptions(json: object).over(options)
            } catch {
                failure = LLMError(.invalidInput, "line \(line.number): \(error.message)")
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
