import Foundation
import LLMKit
import Testing

/// Every fault a server or network can inflict, scripted per request on a fault server:
/// for each, the retries taken (count and spacing), the output records, the exit status
/// and the error code, and that nothing received is lost. Prints a table and a summary.
@Suite(.serialized) struct FaultInjectionTests {
    struct Fault: Sendable {
        var name: String
        var script: [String]
        var stream = false
        var flags: [String] = []
        var status: Int32
        var code: String?
        /// API requests the server must see: the first attempt and each retry.
        var requests: Int
        /// Least and most seconds between the first two requests (a retry's wait).
        var spacing: ClosedRange<Double>?
        /// Text the reply (whole, or the part kept) must hold.
        var kept: String?
        /// Most seconds the whole run may take.
        var within: Double = 20
    }

    static let faults: [Fault] = [
        Fault(name: "accept and close", script: ["close"], status: 0, requests: 2, kept: "Echo: hello there"),
        Fault(name: "reset after 40 bytes", script: ["reset:40"], status: 0, requests: 2, kept: "Echo: hello there"),
        Fault(name: "stall before headers", script: ["stall-headers:30"], flags: ["--idle-timeout", "1"], status: 0, requests: 2,
              spacing: 0.9...5, kept: "Echo: hello there"),
        Fault(name: "stall mid-body", script: ["stall-body:30"], flags: ["--idle-timeout", "1"], status: 0, requests: 2,
              spacing: 0.9...5, kept: "Echo: hello there"),
        Fault(name: "stall mid-event (stream)", script: ["stall-event:30"], stream: true, flags: ["--idle-timeout", "1"],
              status: 75, code: "timeout", requests: 1, kept: "Echo: "),
        // Each attempt ends at its deadline however steadily bytes trickle in; then it is retried.
        Fault(name: "drip 1 byte/100 ms", script: ["drip:100", "drip:100", "drip:100"], flags: ["--timeout", "2"], status: 75, code: "timeout",
              requests: 3, spacing: 2...4, within: 12),
        Fault(name: "drip 1 byte/100 ms (stream)", script: ["drip:100", "drip:100", "drip:100"], stream: true, flags: ["--timeout", "2"],
              status: 75, code: "timeout", requests: 3, spacing: 2...4, within: 12),
        Fault(name: "429 retry-after: 2", script: ["status:429:retry-after=2"], status: 0, requests: 2, spacing: 1.95...3.5, kept: "Echo: hello there"),
        Fault(name: "429 retry-after-ms: 1500", script: ["status:429:retry-after-ms=1500"], status: 0, requests: 2, spacing: 1.45...3,
              kept: "Echo: hello there"),
        Fault(name: "429 retry-after: HTTP date", script: ["status:429:retry-after=DATE+2"], status: 0, requests: 2, spacing: 0.95...3.5,
              kept: "Echo: hello there"),
        Fault(name: "429 quota exhausted", script: ["status:429:quota"], status: 77, code: "quota_exceeded", requests: 1),
        Fault(name: "500 then success", script: ["status:500"], status: 0, requests: 2, spacing: 0.3...2, kept: "Echo: hello there"),
        Fault(name: "502 then success", script: ["status:502"], status: 0, requests: 2, spacing: 0.3...2, kept: "Echo: hello there"),
        Fault(name: "503 then success", script: ["status:503"], status: 0, requests: 2, spacing: 0.3...2, kept: "Echo: hello there"),
        Fault(name: "529 then success (stream)", script: ["status:529"], stream: true, status: 0, requests: 2, spacing: 0.3...2,
              kept: "Echo: hello there"),
        Fault(name: "500 three times, 2 retries", script: ["status:500", "status:500", "status:500"], status: 75, code: "server_error", requests: 3),
        Fault(name: "truncated SSE stream", script: ["truncate-sse:2"], stream: true, status: 75, code: "stream_interrupted", requests: 1,
              kept: "Echo: hello "),
        Fault(name: "reset before the first piece (stream)", script: ["reset:300"], stream: true, status: 0, requests: 2, kept: "Echo: hello there"),
        Fault(name: "reset mid-stream", script: ["reset:700"], stream: true, status: 75, code: "stream_interrupted", requests: 1, kept: "Echo: "),
        Fault(name: "non-JSON body", script: ["not-json"], status: 69, code: "invalid_reply", requests: 1),
        Fault(name: "invalid UTF-8", script: ["bad-utf8"], status: 0, requests: 1, kept: "Echo: caf\u{FFFD} ok"),
        Fault(name: "invalid UTF-8 (stream)", script: ["bad-utf8"], stream: true, status: 0, requests: 1, kept: "caf\u{FFFD}"),
        Fault(name: "50 MB body", script: ["big:50"], status: 69, code: "invalid_reply", requests: 1),
        Fault(name: "redirect to another host", script: ["redirect"], status: 69, code: "not_found", requests: 1),
        Fault(name: "HTTP/1.0 close-delimited", script: ["http10"], status: 0, requests: 1, kept: "Echo: hello there"),
        Fault(name: "HTTP/1.0 close-delimited (stream)", script: ["http10"], stream: true, status: 0, requests: 1, kept: "Echo: hello there"),
    ]

    struct Row {
        var fault: String
        var expected: String
        var got: String
        var survived: Bool
        var lost: Int
    }

    static let key = "sk-fault-key-3f9a8c7d6e5b4a39"

    func attempt(_ fault: Fault) throws -> Row {
        let server = try FaultServer(script: fault.script)
        let config = try server.config(in: Paths.temporaryDirectory(), key: true)
        let input = #"{"role":"user","content":"hello there"}"# + "\n"
        let started = Date()
        let result = try run(fault.stream ? "llm-stream" : "llm-complete", ["-m", "faulty/m"] + fault.flags, stdin: input,
                             environment: ["LLMKIT_CONFIG": config, "FAULT_KEY": Self.key], timeout: 60)
        let elapsed = Date().timeIntervalSince(started)
        let requests = try server.apiRequests()
        let records = result.records
        let reply = records.last { $0["role"] == "assistant" }
        let error = records.last { $0["type"] == "error" }
        var problems: [String] = []
        if result.status != fault.status { problems.append("exit \(result.status)") }
        if let code = fault.code, error?["code"]?.stringValue != code { problems.append("code \(error?["code"]?.stringValue ?? "none")") }
        if fault.code == nil, let error { problems.append("error \(error["code"]?.stringValue ?? "?")") }
        if requests.count != fault.requests { problems.append("\(requests.count) requests") }
        if let spacing = fault.spacing, requests.count >= 2, let t0 = requests[0]["t"]?.doubleValue, let t1 = requests[1]["t"]?.doubleValue,
           !spacing.contains(t1 - t0) {
            problems.append(String(format: "retried after %.2f s", t1 - t0))
        }
        if let kept = fault.kept, !(reply?["content"]?.stringValue ?? "").contains(kept) {
            problems.append("reply \((reply?["content"]?.stringValue ?? "none").prefix(40).debugDescription)")
        }
        if elapsed > fault.within { problems.append(String(format: "took %.1f s", elapsed)) }
        if result.stdout.contains(Self.key) || result.stderr.contains(Self.key) { problems.append("key printed") }
        // A key must never follow a redirect: only the first request may carry it.
        if requests.dropFirst().contains(where: { ($0["headers"]?["authorization"]?.stringValue ?? "").contains(Self.key) && $0["headers"]?["host"]?.stringValue?.hasPrefix("localhost") == true }) {
            problems.append("key followed the redirect")
        }
        // Lost: the input not echoed, no final record, or streamed text missing from the message.
        var lost = 0
        if records.first?["content"] != "hello there" { lost += 1 }
        if reply == nil, error == nil { lost += 1 }
        if fault.stream {
            let streamed = records.filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }.joined()
            if let reply, !(reply["content"]?.stringValue ?? "").hasPrefix(streamed) || (reply["content"]?.stringValue ?? "").isEmpty != streamed.isEmpty {
                lost += 1
            }
            if reply == nil, !streamed.isEmpty { lost += 1 }
        }
        let expected = "exit \(fault.status)" + (fault.code.map { " \($0)" } ?? "") + ", \(fault.requests) req"
        let got = problems.isEmpty ? "as expected" : problems.joined(separator: "; ")
        return Row(fault: fault.name, expected: expected, got: got, survived: problems.isEmpty && lost == 0, lost: lost)
    }

    @Test func everyFaultIsSurvivedAndNothingReceivedIsLost() throws {
        var rows = [try attemptRefused()]
        for fault in Self.faults { rows.append(try attempt(fault)) }
        let width = rows.map(\.fault.count).max() ?? 0
        var table = "fault".padding(toLength: width, withPad: " ", startingAt: 0) + " | expected | got\n"
        for row in rows {
            table += row.fault.padding(toLength: width, withPad: " ", startingAt: 0) + " | \(row.expected) | \(row.got)\n"
        }
        let survived = rows.filter(\.survived).count
        let lost = rows.reduce(0) { $0 + $1.lost }
        table += "faults tried \(rows.count), survived \(survived), records lost \(lost)\n"
        print(table)
        for row in rows where !row.survived { Issue.record("\(row.fault): expected \(row.expected); got \(row.got), \(row.lost) lost") }
        #expect(lost == 0)
    }

    /// Nothing listening: a local server that refuses is said at once, not retried.
    func attemptRefused() throws -> Row {
        let directory = Paths.temporaryDirectory()
        let config = directory.appendingPathComponent("config.yaml").path
        try "providers:\n  faulty:\n    type: openai\n    api_base: http://127.0.0.1:9/v1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try run("llm-complete", ["-m", "faulty/m"], stdin: #"{"role":"user","content":"hello there"}"# + "\n",
                             environment: ["LLMKIT_CONFIG": config])
        let elapsed = Date().timeIntervalSince(started)
        var problems: [String] = []
        if result.status != 69 { problems.append("exit \(result.status)") }
        if result.lastRecord?["code"] != "connection_failed" { problems.append("code \(result.lastRecord?["code"]?.stringValue ?? "none")") }
        if elapsed > 3 { problems.append(String(format: "took %.1f s", elapsed)) }
        let lost = result.records.first?["content"] == "hello there" ? 0 : 1
        return Row(fault: "connection refused", expected: "exit 69 connection_failed, at once", got: problems.isEmpty ? "as expected" : problems.joined(separator: "; "),
                   survived: problems.isEmpty && lost == 0, lost: lost)
    }
}
