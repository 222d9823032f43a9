/// The tool calls of the last assistant message that have no result yet.
///
/// Results must follow the call that asked for them; a user message after the assistant's
/// turn means the conversation moved on, and nothing is pending.
public enum PendingCalls {
    public static func of(_ messages: [ChatMessage]) -> [ToolCall] {
        guard let last = messages.lastIndex(where: { $0.role == "assistant" }) else { return [] }
        let after = messages[(last + 1)...]
        if after.contains(where: { $0.role == "user" || $0.role == "system" }) { return [] }
        let answered = Set(after.filter { $0.role == "tool" }.compactMap(\.toolCallID))
        return messages[last].toolCalls.filter { !answered.contains($0.id) }
    }
}
