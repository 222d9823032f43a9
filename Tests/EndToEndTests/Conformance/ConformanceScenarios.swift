import Foundation
import LLMKit

/// The scenarios, each written once. Fake servers, the runner and the mock script answer
/// exactly; a real model only in shape.
extension ConformanceScenario {
    static let all: [ConformanceScenario] = [
        ConformanceScenario(title: "plain reply", key: "plain") { t in
            let c = Checks(try t.run("plain", ["hi"], stdin: nil))
            c.succeeded()
            if t.exact {
                c.content("Hello from the fake server.")
                c.expect(c.reply?["finish_reason"] == "stop", "finish_reason \(c.reply?["finish_reason"]?.serialized ?? "none")")
                c.usage(["input_tokens": 10, "output_tokens": 6])
            } else {
                c.someContent()
                c.expect(["stop", "length"].contains(c.reply?["finish_reason"]?.stringValue ?? ""), "finish_reason \(c.reply?["finish_reason"]?.serialized ?? "none")")
                c.expect(c.reply?["usage"]?["input_tokens"]?.intValue ?? 0 > 0 && c.reply?["usage"]?["output_tokens"]?.intValue ?? 0 > 0,
                         "usage \(c.reply?["usage"]?.serialized ?? "absent")")
            }
            return c.problems
        },
        ConformanceScenario(title: "system prompt", key: "system") { t in
            let c = Checks(try t.run("system", ["-s", "Be terse.", "hi"], stdin: nil))
            c.succeeded()
            if t.exact { c.content("system=Be terse.") } else { c.someContent() }
            return c.problems
        },
        ConformanceScenario(title: "multi-turn", key: "multi-turn") { t in
            let input = lines([#"{"role":"user","content":"first"}"#, #"{"role":"assistant","content":"answer"}"#, #"{"role":"user","content":"second"}"#])
            let c = Checks(try t.run("multi-turn", stdin: input))
            c.succeeded()
            if t.exact { c.content("turns=3 last=second") } else { c.someContent() }
            return c.problems
        },
        ConformanceScenario(title: "tool call, result, answer", key: "tool-call") { t in
            guard t.exact else {
                // A real model may not call a tool; a recorded call and its result must go through.
                // (With some text: LiteLLM's proxy fails a turn that holds only a call.)
                let input = lines([weatherTool, #"{"role":"user","content":"Weather in Paris?"}"#,
                                   #"{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}"#,
                                   #"{"role":"tool","tool_call_id":"toolu_01A","name":"get_weather","content":"18C and sunny"}"#])
                let c = Checks(try t.run("tool-call", stdin: input))
                c.succeeded()
                c.someContent()
                return c.problems
            }
            let first = try t.run("tool-call", stdin: lines([weatherTool, #"{"role":"user","content":"Weather in Paris?"}"#]))
            let c = Checks(first)
            c.succeeded()
            c.expect(c.calls.map(\.0) == ["get_weather"] && c.calls.first?.1 == ["city": "Paris"], "calls \(c.reply?["tool_calls"]?.serialized ?? "none")")
            c.expect(c.reply?["finish_reason"] == "tool_calls", "finish_reason \(c.reply?["finish_reason"]?.serialized ?? "none")")
            let second = Checks(try t.run("tool-call", stdin: answering(first, with: ["18C"])))
            second.succeeded()
            second.content("Weather: 18C")
            return c.problems + second.problems
        },
        ConformanceScenario(title: "two parallel tool calls", key: "parallel-tools") { t in
            let first = try t.run("parallel-tools", stdin: lines([weatherTool, #"{"role":"user","content":"Weather and time in Paris?"}"#]))
            let c = Checks(first)
            c.succeeded()
            c.expect(c.calls.map(\.0) == ["get_weather", "get_time"] && c.calls.map(\.1) == [["city": "Paris"], ["zone": "Europe/Paris"]],
                     "calls \(c.reply?["tool_calls"]?.serialized ?? "none")")
            let second = Checks(try t.run("parallel-tools", stdin: answering(first, with: ["18C", "12:00"])))
            second.succeeded()
            second.content("Results: 18C | 12:00")
            return c.problems + second.problems
        },
        ConformanceScenario(title: "streamed text", key: "stream") { t in
            let c = Checks(try t.stream("stream-plain", ["hi"], stdin: nil))
            c.succeeded()
            let deltas = c.result.records.filter { $0["type"] == "delta" }.compactMap { $0["content"]?.stringValue }
            c.expect(deltas.joined() == c.reply?["content"]?.stringValue, "deltas \(deltas) do not add up to the message")
            if t.exact { c.content("Hello from the fake server.") } else { c.someContent() }
            if t.kind == .fake || t.kind == .command { c.expect(deltas.count >= 2, "one delta only: not streamed") }
            return c.problems
        },
        ConformanceScenario(title: "streamed tool calls, split arguments", key: "stream-tools") { t in
            let input = lines([weatherTool, #"{"role":"user","content":"Weather and time in Paris?"}"#])
            let c = Checks(try t.stream("parallel-tools", stdin: input))
            c.succeeded()
            c.expect(c.calls.map(\.0) == ["get_weather", "get_time"] && c.calls.map(\.1) == [["city": "Paris"], ["zone": "Europe/Paris"]],
                     "calls \(c.reply?["tool_calls"]?.serialized ?? "none")")
            var joined: [Int: String] = [:]
            for delta in c.result.records where delta["type"] == "delta" {
                if let call = delta["tool_call"], let index = call["index"]?.intValue {
                    joined[index, default: ""] += call["arguments"]?.stringValue ?? ""
                }
            }
            c.expect(joined.keys.sorted() == [0, 1] && joined.values.allSatisfy { (try? JSONParser.parse($0)) != nil },
                     "delta fragments do not join into two calls: \(joined)")
            return c.problems
        },
        ConformanceScenario(title: "reasoning", key: "reasoning") { t in
            let c = Checks(try t.run("reasoning", ["hi"], stdin: nil))
            c.succeeded()
            c.content("Hello.")
            c.expect(c.reply?["reasoning"] == "The user wants a greeting.", "reasoning \(c.reply?["reasoning"]?.serialized ?? "absent")")
            var usage: JSONObject = ["input_tokens": 10, "output_tokens": 11]
            if t.name != "ollama_chat" { usage["reasoning_tokens"] = 5 }  // Ollama does not count them apart
            c.usage(usage)
            return c.problems
        },
        ConformanceScenario(title: "reasoning kept across a tool call", key: "reasoning-tool") { t in
            // Streamed first, so the signature is assembled from its deltas.
            let first = try t.stream("reasoning-tool", stdin: lines([weatherTool, #"{"role":"user","content":"Weather in Paris?"}"#]))
            let c = Checks(first)
            c.succeeded()
            c.expect(c.reply?["reasoning"] == "I should call get_weather.", "reasoning \(c.reply?["reasoning"]?.serialized ?? "absent")")
            if t.name == "anthropic" {
                c.expect(c.reply?["thinking_blocks"]?.arrayValue?.first?["signature"] == "sig-tool-789", "thinking_blocks \(c.reply?["thinking_blocks"]?.serialized ?? "absent")")
            }
            if t.name == "gemini" {
                c.expect(c.reply?["tool_calls"]?.arrayValue?.first?["thought_signature"] == "c2lnLWdlbWluaQ==", "no thought_signature on the call")
            }
            let second = Checks(try t.run("reasoning-tool", stdin: answering(first, with: ["18C"])))
            second.succeeded()
            second.content("Weather: 18C")
            return c.problems + second.problems
        },
        ConformanceScenario(title: "usage with cached tokens", key: "cached-usage") { t in
            let c = Checks(try t.run("cached-usage", ["hi"], stdin: nil))
            c.succeeded()
            var usage: JSONObject = ["input_tokens": 100, "output_tokens": 7]
            if t.name != "ollama_chat" { usage["cache_read_tokens"] = 80 }  // Ollama does not report its cache
            if ["anthropic", "cmd", "mock"].contains(t.name) { usage["cache_write_tokens"] = 10 }
            c.usage(usage)
            if t.name == "ollama_chat" {
                c.expect(c.reply?["timings"]?["tokens_per_second"] == 70 && c.reply?["timings"]?["load_ms"] == 41,
                         "timings \(c.reply?["timings"]?.serialized ?? "absent"), wanted 70 tokens/s and 41 ms loading")
            }
            return c.problems
        },
        ConformanceScenario(title: "structured output", key: "structured") { t in
            let schema = Paths.temporaryDirectory().appendingPathComponent("answer.json")
            try #"{"type":"object","properties":{"answer":{"type":"integer"}},"required":["answer"]}"#.write(to: schema, atomically: true, encoding: .utf8)
            let c = Checks(try t.run("structured", ["--schema", schema.path, "What is 2+2? Answer in JSON."], stdin: nil))
            c.succeeded()
            if t.exact { c.content(#"{"answer": 4}"#) }
            return c.problems
        },
        ConformanceScenario(title: "400 context length", key: "context") { t in
            let long = t.exact ? "hi" : String(repeating: "lorem ipsum dolor sit amet ", count: 1200)
            let c = Checks(try t.run("context", [long], stdin: nil))
            c.failed(exit: 65, code: "context_length_exceeded")
            return c.problems
        },
        ConformanceScenario(title: "401 bad key", key: "unauthorized") { t in
            let c = Checks(try t.run("unauthorized", ["hi"], stdin: nil))
            c.failed(exit: 77, code: "authentication_failed")
            c.expect(!c.result.stderr.contains(ConformanceTarget.fakeKey), "the key was printed")
            return c.problems
        },
        ConformanceScenario(title: "404 unknown model", key: "unknown-model") { t in
            let c = Checks(try t.run("unknown-model", ["hi"], stdin: nil))
            c.failed(exit: 69, code: "model_not_found")
            return c.problems
        },
        ConformanceScenario(title: "429, then retry-after", key: "rate-limited") { t in
            let c = Checks(try t.run("rate-limited", ["--retries", "0", "hi"], stdin: nil))
            c.failed(exit: 75, code: "rate_limited")
            guard t.kind == .fake else { return c.problems }
            let retried = Checks(try t.run("rate-limited-once", ["--retries", "1", "hi"], stdin: nil))
            retried.succeeded()
            retried.content("Hello from the fake server.")
            return c.problems + retried.problems
        },
        ConformanceScenario(title: "500 / 503 / 529", key: "unavailable") { t in
            let failed = Checks(try t.run("server-error", ["--retries", "0", "hi"], stdin: nil))
            failed.failed(exit: 75, code: "server_error")
            let busy = Checks(try t.run("unavailable", ["--retries", "0", "hi"], stdin: nil))
            busy.failed(exit: 75, code: t.kind == .command ? "timeout" : "overloaded")
            guard t.kind == .fake else { return failed.problems + busy.problems }
            let retried = Checks(try t.run("overloaded-once", ["--retries", "1", "hi"], stdin: nil))
            retried.succeeded()
            return failed.problems + busy.problems + retried.problems
        },
        ConformanceScenario(title: "error mid-stream", key: "mid-stream-error") { t in
            let c = Checks(try t.stream("mid-stream-error", ["hi"], stdin: nil))
            c.expect(c.result.status == 75, "exit \(c.result.status), wanted 75: \(c.result.stderr.prefix(200))")
            c.content("Partial answer")
            c.expect(c.reply?["finish_reason"] == "error", "finish_reason \(c.reply?["finish_reason"]?.serialized ?? "none")")
            return c.problems
        },
    ]
}
