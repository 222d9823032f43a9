import LLMKit
import Testing

/// What every tool answers before doing any work: its version, its help, and a usage error.
/// The tools parse their command line before starting the concurrency runtime, so this is
/// the path `LLMCommand.main` takes on its own.
@Suite struct CommandLineTests {
    static let tools = ["llm-complete", "llm-stream", "llm-tools", "llm-probe", "llm-cost", "llm-serve"]

    @Test(arguments: tools) func versionIsPrintedAndExitsZero(tool: String) throws {
        let result = try run(tool, ["--version"], stdin: nil)
        #expect(result.status == 0, "\(tool): \(result.stderr)")
        #expect(result.stdout == LLMKitVersion.current + "\n")
    }

    @Test(arguments: tools) func helpHasExamplesAndExitsZero(tool: String) throws {
        let result = try run(tool, ["--help"], stdin: nil)
        #expect(result.status == 0, "\(tool): \(result.stderr)")
        #expect(result.stdout.contains("Examples:"))
        #expect(result.stderr.isEmpty)
    }

    /// A lone `--version`, `--help` or `-h` is answered before the parser runs (it is most of
    /// such a run's cost); with the flag given twice the parser answers. Both must agree.
    @Test(arguments: tools) func theShortCutsPrintWhatTheParserPrints(tool: String) throws {
        for flag in ["--version", "--help", "-h"] {
            let short = try run(tool, [flag], stdin: nil)
            let parsed = try run(tool, [flag, flag], stdin: nil)
            #expect(short.status == 0 && parsed.status == 0, "\(tool) \(flag)")
            #expect(short.stdout == parsed.stdout, "\(tool) \(flag)")
            #expect(short.stderr == parsed.stderr, "\(tool) \(flag)")
        }
    }

    /// llm-serve's `-f` is required, and a missing required option is reported first.
    @Test(arguments: tools) func anUnknownFlagIsAUsageError(tool: String) throws {
        let result = try run(tool, (tool == "llm-serve" ? ["-f", "agents.yaml"] : []) + ["--no-such-flag"], stdin: nil)
        #expect(result.status == 64)
        #expect(result.stderr.contains("--no-such-flag"))
        #expect(result.stdout.isEmpty)
    }

    /// A lone `help` is what a person types for help: it must print the help, never become a
    /// prompt sent to the default model (which may be a paid one).
    @Test(arguments: ["llm-complete", "llm-stream"])
    func aLoneHelpPrintsHelpAndSendsNothing(tool: String) async throws {
        let server = try FakeServer()
        let result = try run(tool, ["help"], stdin: nil, environment: ["LLMKIT_MODEL": "llamacpp/default", "LLMKIT_API_BASE": server.baseURL])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Examples:"))
        #expect(try await server.requests().isEmpty, "help was sent to the model")
    }
}
