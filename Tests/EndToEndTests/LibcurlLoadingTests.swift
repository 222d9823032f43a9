import Foundation
import Testing

/// libcurl and its tree of libraries take most of a start (make bench: startup), so a run
/// that sends no request must never load them. The dynamic loader's own account of what it
/// loaded (`LD_DEBUG=files`) is the witness.
@Suite struct LibcurlLoadingTests {
    static let tools = ["llm-complete", "llm-stream", "llm-tools", "llm-probe", "llm-cost", "llm-serve"]
    static let loaderTrace = ["LD_DEBUG": "files"]
    static let usageLine = #"{"role":"assistant","content":"x","model":"openai/gpt-4o","usage":{"input_tokens":1000,"output_tokens":500}}"# + "\n"

    @Test(arguments: tools) func versionAndHelpDoNotLoadLibcurl(tool: String) throws {
        for flag in ["--version", "--help"] {
            let result = try run(tool, [flag], stdin: nil, environment: Self.loaderTrace)
            #expect(result.status == 0, "\(tool) \(flag)")
            let loaded = result.stderr.contains("libcurl")
            #expect(!loaded, "\(tool) \(flag) loaded libcurl")
        }
    }

    @Test func pricingUsageDoesNotLoadLibcurl() throws {
        let result = try run("llm-cost", [], stdin: Self.usageLine, environment: Self.loaderTrace)
        #expect(result.status == 0, "\(result.stderr.suffix(500))")
        let loaded = result.stderr.contains("libcurl")
        #expect(!loaded, "llm-cost loaded libcurl")
    }

    /// The control: the witness does see libcurl when a request needs it.
    @Test func aRequestLoadsLibcurl() throws {
        let result = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9", "--timeout", "5", "hi"],
                             environment: Self.loaderTrace)
        #expect(result.status == 69, "\(result.stderr.suffix(500))")
        let loaded = result.stderr.contains("libcurl.so")
        #expect(loaded, "no request was sent, or the loader trace is not on")
    }

    /// A libcurl without the calls llmkit needs (here a stub found first on the library
    /// path): the tools still start, a run that needs no request still works, and one that
    /// does fails with a message that names the missing piece, not a loader crash. Its exit
    /// status is that of the first check that needs libcurl: the URL of `--api-base` (64),
    /// of a provider (78), or the request itself (69).
    @Test func aBrokenLibcurlFailsOnlyTheRunsThatNeedIt() throws {
        let directory = Paths.temporaryDirectory()
        let source = directory.appendingPathComponent("stub.c")
        try "int llmkit_test_stub(void) { return 0; }\n".write(to: source, atomically: true, encoding: .utf8)
        let compile = try run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-o", directory.appendingPathComponent("libcurl.so.4").path, source.path])
        try #require(compile.status == 0, "cc: \(compile.stderr)")
        let broken = ["LD_LIBRARY_PATH": directory.path]

        let version = try run("llm-complete", ["--version"], stdin: nil, environment: broken)
        #expect(version.status == 0, "\(version.stderr)")
        let cost = try run("llm-cost", [], stdin: Self.usageLine, environment: broken)
        #expect(cost.status == 0, "\(cost.stderr)")
        let mock = try run("llm-complete", ["-m", "mock/echo", "hi"], environment: broken)
        #expect(mock.status == 0, "\(mock.stderr)")

        let request = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9", "--timeout", "5", "hi"],
                              environment: broken)
        #expect([64, 69, 78].contains(request.status), "\(request.status): \(request.stderr)")
        #expect(request.stderr.contains("libcurl"), "\(request.stderr)")
        #expect(request.stderr.contains("curl_"), "the message names the missing call: \(request.stderr)")
        #expect(request.stdout.isEmpty || !request.stdout.contains("\"role\":\"assistant\""))
    }
}
