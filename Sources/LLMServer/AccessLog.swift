import Foundation
import LLMKit

/// One line per request on stderr, whatever its route or status. Never a key (they are
/// registered with the redactor) and never message text unless `--log-content` asks.
struct AccessLog: Sendable {
    let format: ServeSettings.LogFormat
    let content: Bool

    struct Entry: Sendable {
        var method = ""
        var path = ""
        var user: String?
        var agent: String?
        var status = 0
        var duration: Duration = .zero
        var usage: Usage?
        var error: String?
        var prompt: String?
        var reply: String?
        /// A listed origin the request came from: its reply carries CORS headers. Not logged.
        var corsOrigin: String?
    }

    func write(_ entry: Entry) {
        let time = Date().formatted(.iso8601)
        let ms = Int(entry.duration / .milliseconds(1))
        var object: JSONObject = ["time": .string(time), "method": .string(entry.method), "path": .string(entry.path)]
        object.set("user", entry.user.map(JSONValue.string))
        object.set("agent", entry.agent.map(JSONValue.string))
        object["status"] = .int(entry.status)
        object["duration_ms"] = .int(ms)
        object.set("prompt_tokens", entry.usage?.inputTokens.map(JSONValue.int))
        object.set("completion_tokens", entry.usage?.outputTokens.map(JSONValue.int))
        object.set("error", entry.error.map(JSONValue.string))
        if content {
            object.set("prompt", entry.prompt.map(JSONValue.string))
            object.set("reply", entry.reply.map(JSONValue.string))
        }
        switch format {
        case .json:
            StandardError.write(Redactor.redact(object.serialized) + "\n")
        case .text:
            let line = object.entries.map { key, value in
                let text = value.stringValue ?? value.serialized
                let plain = !text.isEmpty && !text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline })
                return "\(key)=\(plain ? text : JSONValue.string(text).serialized)"
            }.joined(separator: " ")
            StandardError.write(Redactor.redact(line) + "\n")
        }
    }
}
