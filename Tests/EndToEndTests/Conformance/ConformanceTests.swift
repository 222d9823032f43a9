import Foundation
import LLMKit
import Testing

/// Every scenario against every provider: the fake servers of each wire format, the `cmd`
/// runner, `mock`, and real software (llama-cpp-python; a LiteLLM proxy's Anthropic and
/// Gemini endpoints in front of it) where the test run provides it. Prints the
/// provider × scenario table; every failing cell is also a test issue.
@Suite(.serialized) struct ConformanceTests {
    @Test func everyProviderPassesEveryScenario() throws {
        let server = try FakeServer(script: "fake_provider.py", arguments: ["--key", ConformanceTarget.fakeKey])
        defer { withExtendedLifetime(server) {} }  // the server runs until the last scenario
        let base = "http://127.0.0.1:\(server.port)"
        let key = ConformanceTarget.fakeKey
        var targets: [ConformanceTarget] = [
            .fake("openai", base: base + "/v1", environment: ["OPENAI_API_KEY": key]),
            .fake("anthropic", base: base, environment: ["ANTHROPIC_API_KEY": key]),
            .fake("gemini", base: base + "/v1beta", environment: ["GEMINI_API_KEY": key]),
            .fake("ollama_chat", base: base),
            try .command(),
            try .mock(),
        ]
        targets += RealPeers.targets()

        var table: [[String]] = []
        for scenario in ConformanceScenario.all {
            var row = [scenario.title]
            for target in targets {
                guard target.notApplicable[scenario.key] == nil else {
                    row.append("n/a")  // the reasons are printed under the table
                    continue
                }
                let problems = try scenario.body(target)
                row.append(problems.isEmpty ? "pass" : "FAIL")
                for problem in problems {
                    Issue.record("\(target.name) · \(scenario.title): \(problem)")
                }
            }
            table.append(row)
        }
        let header = ["scenario"] + targets.map(\.name)
        print(Self.render([header] + table))
        for target in targets where !target.notApplicable.isEmpty {
            print("n/a for \(target.name): " + target.notApplicable.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; "))
        }
    }

    static func render(_ rows: [[String]]) -> String {
        "\nProvider conformance\n" + TextTable.lines(rows).joined(separator: "\n")
    }
}
