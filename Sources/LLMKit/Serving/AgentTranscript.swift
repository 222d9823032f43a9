/// Reads a command agent's stdout, one record at a time, into what a client is shown.
///
/// Commands copy their input before they answer (llm-complete, llm-tools loop), so the
/// first records repeat the request: they are passed over. What follows is the agent's own
/// work: `delta` pieces to stream, tool turns (steps) and, last, the reply.
public struct AgentTranscript: Sendable {
    private let input: [ChatMessage]
    private let showSteps: Bool
    private var echoed = 0
    private var copying = true
    /// Text streamed since the last message record: that message's text was shown already.
    private var streamedSinceMessage = false
    /// A tool turn ended a stretch of streamed text: the next piece starts a new paragraph.
    private var needsBreak = false
    public private(set) var streamedAnything = false
    /// The last assistant message: the reply, once the command has ended.
    public private(set) var reply: ChatMessage?
    /// Whether the reply's text went out as pieces already.
    public private(set) var replyStreamed = false
    /// The tool results that came after the reply's calls: then the calls were the agent's
    /// own, run already, not calls for the client.
    private var resultsAfterReply = false
    public private(set) var usage: Usage?
    public private(set) var error: LLMError?

    public init(input: [ChatMessage], showSteps: Bool) {
        self.input = input
        self.showSteps = showSteps
    }

    /// One line of stdout. A line that is not a JSON object is the command's fault, and
    /// ends the request: the error says which agent and what it wrote.
    public mutating func read(_ line: some Collection<UInt8>) throws(LLMError) -> [AgentEvent] {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return [] }
        guard let object = try? JSONParser.parse(Array(line)).objectValue else {
            let shown = String(decoding: line.prefix(80), as: UTF8.self)
            throw LLMError(.invalidReply, "wrote a line that is not a JSON record: \(shown.debugDescription)"
                           + (line.count > 80 ? "…" : "") + " (llm-serve reads records: is -t, --text, set?)")
        }
        if object["role"] != nil {
            guard let message = try? ChatMessage(json: object) else {
                throw LLMError(.invalidReply, "wrote a message record that is not a valid message")
            }
            return take(message)
        }
        switch object["type"]?.stringValue {
        case "delta":
            copying = false
            var events: [AgentEvent] = []
            if let text = object["content"]?.stringValue, !text.isEmpty {
                if needsBreak { events.append(.text("\n\n")) }
                needsBreak = false
                streamedSinceMessage = true
                streamedAnything = true
                events.append(.text(text))
            }
            if let text = object["reasoning"]?.stringValue, !text.isEmpty { events.append(.reasoning(text)) }
            return events
        case "restart":
            // `--retry-partial` started the reply over; what was streamed stands (a client
            // cannot take it back), and the new reply follows it.
            needsBreak = streamedSinceMessage
            streamedSinceMessage = false
            return []
        case "error":
            let kind = object["code"]?.stringValue.flatMap(LLMError.Kind.init(rawValue:)) ?? .internalError
            error = LLMError(kind, object["message"]?.stringValue ?? "the agent failed", status: object["status"]?.intValue,
                             model: object["model"]?.stringValue)
            return []
        default:
            return []
        }
    }

    private mutating func take(_ message: ChatMessage) -> [AgentEvent] {
        if copying {
            if echoed < input.count, message.role == input[echoed].role, message.content == input[echoed].content,
               message.toolCalls == input[echoed].toolCalls {
                echoed += 1
                return []
            }
            // A system prompt the command set itself replaces or leads the copied one.
            if message.role == "system" || message.role == "developer" { return [] }
            copying = false
        }
        let streamed = streamedSinceMessage
        streamedSinceMessage = false
        switch message.role {
        case "assistant":
            if let turn = message.usage { usage = usage.map { $0.adding(turn) } ?? turn }
            reply = message
            replyStreamed = streamed
            resultsAfterReply = false
            guard !message.toolCalls.isEmpty else { return [] }
            // A tool turn: its text was streamed, or is shown only as a step.
            needsBreak = streamed
            guard showSteps else { return [] }
            var events: [AgentEvent] = []
            if !streamed, let text = message.text, !text.isEmpty { events.append(.step(text + "\n\n")) }
            events += message.toolCalls.map(Self.step(call:))
            needsBreak = false
            return events
        case "tool":
            resultsAfterReply = true
            guard showSteps else { return [] }
            return [Self.step(result: message)]
        default:
            return []
        }
    }

    /// The reply as the client gets it: the last assistant message, unless its calls were
    /// run by the agent itself (then it has no answer yet).
    public var finalReply: ChatMessage? {
        guard let reply, !(resultsAfterReply && !reply.toolCalls.isEmpty) else { return nil }
        return reply
    }

    /// A tool turn as Markdown a chat client renders: the call, then its result, quoted.
    static func step(call: ToolCall) -> AgentEvent {
        .step("> 🔧 `\(call.name)` \(clipped(call.arguments))\n\n")
    }

    static func step(result: ChatMessage) -> AgentEvent {
        .step("> ↳ \(clipped(result.text ?? "").replacingOccurrences(of: "\n", with: " "))\n\n")
    }

    static func clipped(_ text: String, limit: Int = 200) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}
