import Foundation
import LLMKit

/// One column of the conformance table: a provider, and how a scenario reaches it.
struct ConformanceTarget: Sendable {
    enum Kind: Sendable {
        /// A fake server speaking the provider's exact wire format: exact answers.
        case fake
        /// Real software no one here wrote (llama-cpp-python, a LiteLLM proxy): a real model
        /// answers, so only the shape of the answer is checked.
        case real
        /// `cmd/NAME`: a runner program declared in a config file.
        case command
        /// `mock/script`: a script of replies.
        case mock
    }

    var name: String
    var kind: Kind
    /// The model string and extra arguments for a scenario (`plain`, `tool-call`…).
    var setup: @Sendable (String) -> (model: String, arguments: [String])
    var environment: [String: String] = [:]
    /// Scenarios this target cannot meaningfully run, with why.
    var notApplicable: [String: String] = [:]

    var exact: Bool { kind != .real }

    func stream(_ scenario: String, _ arguments: [String] = [], stdin: String? = "") throws -> CommandResult {
        try run(scenario, arguments, stdin: stdin, tool: "llm-stream")
    }

    func run(_ scenario: String, _ arguments: [String] = [], stdin: String? = "", tool: String = "llm-complete") throws -> CommandResult {
        let (model, extra) = setup(scenario)
        var environment = environment
        if scenario == "unauthorized", kind == .real {
            // A real peer fails only for a wrong key.
            for key in environment.keys where key.hasSuffix("_API_KEY") { environment[key] = "sk-wrong-key-0123456789" }
        }
        return try EndToEndTests.run(tool, ["-m", model] + extra + arguments, stdin: stdin, environment: environment, timeout: 120)
    }
}

extension ConformanceTarget {
    static let fakeKey = "sk-conformance-0123456789"

    /// A provider reached through fake_provider.py.
    static func fake(_ provider: String, base: String, environment: [String: String] = [:]) -> ConformanceTarget {
        ConformanceTarget(name: provider, kind: .fake, setup: { scenario in
            ("\(provider)/\(scenario.hasPrefix("stream-") ? String(scenario.dropFirst(7)) : scenario)", ["--api-base", base])
        }, environment: environment)
    }

    /// `cmd/SCENARIO`, each scenario a command running runner.py.
    static func command() throws -> ConformanceTarget {
        let runner = Paths.fixture("runner.py").path
        var commands = ""
        for scenario in ["plain", "system", "multi-turn", "tool-call", "parallel-tools", "reasoning", "reasoning-tool", "cached-usage"] {
            commands += "      \(scenario): {argv: [python3, \(runner), \(scenario)], input: jsonl, output: message}\n"
        }
        commands += "      stream: {argv: [python3, \(runner), stream]}\n"
        commands += "      fail: [python3, \(runner), fail]\n"
        commands += "      hang: {argv: [python3, \(runner), hang], timeout: 1}\n"
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  cmd:\n    commands:\n\(commands)".write(to: config, atomically: true, encoding: .utf8)
        let renamed = ["stream-plain": "stream", "server-error": "fail", "unavailable": "hang"]
        return ConformanceTarget(
            name: "cmd", kind: .command, setup: { scenario in ("cmd/\(renamed[scenario] ?? scenario)", []) }, environment: ["LLMKIT_CONFIG": config.path],
            notApplicable: [
                "structured": "a runner gets no schema", "context": "no context limit to report", "unauthorized": "no key",
                "rate-limited": "no rate limit", "mid-stream-error": "a failing runner writes no partial reply here",
            ])
    }

    /// `mock/script`, one script of replies per scenario.
    static func mock() throws -> ConformanceTarget {
        let folder = Paths.temporaryDirectory()
        let weather = #"{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}}"#
        let clock = #"{"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{\"zone\": \"Europe/Paris\"}"}}"#
        let scripts: [String: [String]] = [
            "plain": [#"{"content":"Hello from the fake server.","usage":{"input_tokens":10,"output_tokens":6}}"#],
            "multi-turn": [#"{"content":"unused"}"#, #"{"content":"turns=3 last=second"}"#],
            "tool-call": [#"{"content":null,"tool_calls":[\#(weather)]}"#, #"{"content":"Weather: 18C"}"#],
            "parallel-tools": [#"{"content":null,"tool_calls":[\#(weather),\#(clock)]}"#, #"{"content":"Results: 18C | 12:00"}"#],
            "reasoning": [#"{"content":"Hello.","reasoning":"The user wants a greeting.","usage":{"input_tokens":10,"output_tokens":11,"reasoning_tokens":5}}"#],
            "reasoning-tool": [#"{"content":null,"reasoning":"I should call get_weather.","tool_calls":[\#(weather)]}"#, #"{"content":"Weather: 18C"}"#],
            "cached-usage": [#"{"content":"Cached.","usage":{"input_tokens":100,"cache_read_tokens":80,"cache_write_tokens":10,"output_tokens":7}}"#],
            "context": [#"{"type":"error","code":"context_length_exceeded","message":"too long","status":400}"#],
            "unauthorized": [#"{"type":"error","code":"authentication_failed","message":"bad key","status":401}"#],
            "unknown-model": [#"{"type":"error","code":"model_not_found","message":"no such model","status":404}"#],
            "rate-limited": [#"{"type":"error","code":"rate_limited","message":"slow down","status":429}"#],
            "unavailable": [#"{"type":"error","code":"overloaded","message":"busy","status":503}"#],
            "server-error": [#"{"type":"error","code":"server_error","message":"failed","status":500}"#],
        ]
        for (name, lines) in scripts {
            try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("\(name).jsonl"), atomically: true, encoding: .utf8)
        }
        return ConformanceTarget(
            name: "mock", kind: .mock,
            setup: { scenario in
                let name = scenario.hasPrefix("stream-") ? String(scenario.dropFirst(7)) : scenario
                return ("mock/script", ["--mock-script", folder.appendingPathComponent("\(name).jsonl").path])
            },
            notApplicable: [
                "system": "a script does not read the conversation", "structured": "a script does not read the schema",
                "mid-stream-error": "mock does not stream",
            ])
    }
}
