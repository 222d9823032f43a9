import Foundation
import LLMKit

/// What one scenario found wrong with one target; empty means it passed.
final class Checks {
    let result: CommandResult
    private(set) var problems: [String] = []

    init(_ result: CommandResult) { self.result = result }

    /// The last record: the assistant message (or the error record after it).
    var reply: JSONObject? { result.records.last { $0["role"] == "assistant" } }

    func expect(_ ok: Bool, _ what: @autoclosure () -> String) {
        if !ok { problems.append(what()) }
    }

    func succeeded() {
        expect(result.status == 0, "exit \(result.status): \(result.stderr.prefix(300))")
    }

    func content(_ text: String) {
        expect(reply?["content"]?.stringValue == text, "content \(reply?["content"]?.serialized ?? "none"), wanted \(text.debugDescription)")
    }

    func someContent() {
        expect(!(reply?["content"]?.stringValue ?? "").isEmpty, "no content: \(reply?.serialized.prefix(200) ?? "no reply")")
    }

    func usage(_ expected: JSONObject) {
        let usage = reply?["usage"]?.objectValue ?? JSONObject()
        for (key, value) in expected.entries {
            expect(usage[key] == value, "usage.\(key) is \(usage[key]?.serialized ?? "absent"), wanted \(value.serialized)")
        }
    }

    func failed(exit: Int32, code: String) {
        let error = result.records.last { $0["type"] == "error" }
        expect(result.status == exit, "exit \(result.status), wanted \(exit): \(result.stderr.prefix(200))")
        expect(error?["code"]?.stringValue == code, "error code \(error?["code"]?.serialized ?? "none"), wanted \(code)")
    }

    /// The calls of the reply as (name, parsed arguments).
    var calls: [(String, JSONValue?)] {
        (reply?["tool_calls"]?.arrayValue ?? []).map { call in
            (call["function"]?["name"]?.stringValue ?? "", call["function"]?["arguments"]?.stringValue.flatMap { try? JSONParser.parse($0) })
        }
    }
}

/// One row of the conformance table: written once, run against every target.
struct ConformanceScenario: Sendable {
    var title: String
    /// The name targets use to say it does not apply to them.
    var key: String
    var body: @Sendable (ConformanceTarget) throws -> [String]

    static let weatherTool = #"{"type":"tools","tools":[{"name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}},{"name":"get_time","description":"Local time","parameters":{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}}]}"#

    /// Records as a JSON Lines text.
    static func lines(_ records: [String]) -> String { records.joined(separator: "\n") + "\n" }

    /// The conversation so far, then each call answered by a tool record, in call order.
    static func answering(_ first: CommandResult, with results: [String]) -> String {
        var records = first.stdout.split(separator: "\n").map(String.init)
        let calls = first.records.last { $0["role"] == "assistant" }?["tool_calls"]?.arrayValue ?? []
        for (call, result) in zip(calls, results) {
            var tool: JSONObject = ["role": "tool", "content": .string(result)]
            tool.set("tool_call_id", call["id"])
            tool.set("name", call["function"]?["name"])
            records.append(JSONValue.object(tool).serialized)
        }
        return lines(records)
    }
}
