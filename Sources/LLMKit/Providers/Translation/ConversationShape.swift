/// What formats other than OpenAI's need from a conversation before they write it: the
/// system text apart, and for each tool result the name of the tool it answers.
struct ConversationShape {
    /// The system (and `developer`) messages' text, joined; they may stand anywhere.
    var system: String?
    /// Everything else, in order.
    var turns: [ChatMessage]
    private var callNames: [String: String] = [:]

    init(_ messages: [ChatMessage]) {
        var system: [String] = []
        var turns: [ChatMessage] = []
        for message in messages {
            if message.role == "system" || message.role == "developer" {
                if let text = message.text, !text.isEmpty { system.append(text) }
            } else {
                turns.append(message)
                for call in message.toolCalls { callNames[call.id] = call.name }
            }
        }
        self.system = system.isEmpty ? nil : system.joined(separator: "\n\n")
        self.turns = turns
    }

    /// A tool result's tool: its own `name`, else that of the call it answers.
    func toolName(of message: ChatMessage) -> String {
        message.name ?? message.toolCallID.flatMap { callNames[$0] } ?? "tool"
    }

    /// How many assistant turns come before: with a call's position, a stable id for
    /// providers that give none.
    static func assistantTurns(in messages: [ChatMessage]) -> Int {
        messages.count { $0.role == "assistant" }
    }
}

/// An image in an OpenAI content part, as bytes-in-base64 or a URL.
enum ContentImage {
    case base64(mediaType: String, data: String)
    case url(String)

    /// `{"type":"image_url","image_url":{"url":…}}`, a data URL or an address.
    init?(part: JSONObject) {
        guard part["type"]?.stringValue == "image_url",
              let url = part["image_url"]?["url"]?.stringValue ?? part["image_url"]?.stringValue else { return nil }
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") {
            let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
            self = .base64(mediaType: String(header.dropLast(7)), data: String(url[url.index(after: comma)...]))
        } else {
            self = .url(url)
        }
    }
}

extension ChatMessage {
    /// The content as parts: a string is one text part.
    var contentParts: [JSONObject] {
        switch content {
        case .string(let s)?: return s.isEmpty ? [] : [["type": "text", "text": .string(s)]]
        case .array(let parts)?: return parts.compactMap(\.objectValue)
        default: return []
        }
    }
}
