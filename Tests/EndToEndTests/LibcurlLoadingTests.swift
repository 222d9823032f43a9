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

    /// A config that names endpoints is the usual case; pricing and running tools still
    /// send no request, so its URLs are not read by libcurl for them.
    @Test func aConfigWithEndpointsDoesNotLoadLibcurlForRunsWithoutRequests() throws {
        let directory = Paths.temporaryDirectory()
        let config = directory.appendingPathComponent("config.yaml")
        try """
            providers:
              work:
                type: openai
                api_base: http://127.0.0.1:9/v1
              spread:
                type: openai
                api_base: [http://127.0.0.1:9/v1, http://127.0.0.1:10/v1]
            """.write(to: config, atomically: true, encoding: .utf8)
        let environment = Self.loaderTrace.merging(["LLMKIT_CONFIG": config.path]) { $1 }

        let cost = try run("llm-cost", [], stdin: Self.usageLine, environment: environment)
        #expect(cost.status == 0, "\(cost.stderr.suffix(500))")
        let costLoaded = cost.stderr.contains("libcurl")
        #expect(!costLoaded, "llm-cost loaded libcurl")

        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n")
        let (tools, messages) = try fixture.exec([("read_file", #"{"path":"hello.txt"}"#)], environment: environment)
        #expect(tools.status == 0 && messages.count == 1, "\(tools.stderr.suffix(500))")
        let toolsLoaded = tools.stderr.contains("libcurl")
        #expect(!toolsLoaded, "llm-tools exec loaded libcurl")
    }

    /// Unread endpoints must not cost a secret: a password in one is still registered, so
    /// a tool that prints it (here: the config file itself) shows it redacted.
    @Test func aPasswordInAnUnreadEndpointIsStillRedacted() throws {
        let password = "Pw-in-the-endpoint-0192837465"
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n")
        let config = fixture.root.appendingPathComponent("config.yaml")
        try """
            providers:
              work:
                type: openai
                api_base: http://me:\(password)@127.0.0.1:9/v1
            """.write(to: config, atomically: true, encoding: .utf8)
        let (result, messages) = try fixture.exec([("read_file", #"{"path":"config.yaml"}"#)], environment: ["LLMKIT_CONFIG": config.path])
        #expect(result.status == 0 && messages.count == 1, "\(result.stderr.suffix(500))")
        let leaked = result.stdout.contains(password)
        #expect(!leaked, "the endpoint's password reached the tool's output")
        #expect(result.stdout.contains("api_base"), "the tool did not read the config")
    }

    /// A libcurl older than 7.85 has every call llmkit makes but not the option that keeps
    /// it to http and https (CURLOPT_PROTOCOLS_STR): it must be refused, not used without it.
    @Test func aLibcurlOlderThan785IsRefused() throws {
        let names = ["global_init", "easy_init", "easy_cleanup", "easy_strerror", "easy_setopt", "easy_getinfo",
                     "slist_append", "slist_free_all", "multi_init", "multi_cleanup", "multi_setopt", "multi_add_handle",
                     "multi_remove_handle", "multi_perform", "multi_poll", "multi_wakeup", "multi_info_read", "url",
                     "url_cleanup", "url_set", "url_get", "url_strerror", "free"]
        let source = names.map { "int curl_\($0)(void) { return 0; }\n" }.joined() + """
            struct version { int age; const char *version; unsigned int version_num; };
            static struct version old = {10, "7.80.0", 0x075000};
            struct version *curl_version_info(int age) { return &old; }

            """
        let directory = try Self.stubLibcurl(source)
        let result = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", "http://127.0.0.1:9", "hi"],
                             environment: ["LD_LIBRARY_PATH": directory.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("7.80.0") && result.stderr.contains("7.85"), "\(result.stderr)")
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
        let broken = ["LD_LIBRARY_PATH": try Self.stubLibcurl("int llmkit_test_stub(void) { return 0; }\n").path]

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

        // The URL cannot be read without libcurl, so its password cannot be registered as
        // a secret: the message must not quote the URL at all.
        let password = "S3cretPassw0rd-for-llmkit"
        for (arguments, environment) in [
            (["-m", "llamacpp/x", "hi"], ["LLMKIT_API_BASE": "http://user:\(password)@127.0.0.1:9/v1"]),
            (["-m", "llamacpp/x", "--api-base", "http://user:\(password)@127.0.0.1:9/v1", "hi"], [:]),
        ] {
            let result = try run("llm-complete", arguments, environment: broken.merging(environment) { $1 })
            #expect(result.status != 0)
            #expect(result.stderr.contains("libcurl"), "\(result.stderr)")
            let leaked = (result.stdout + result.stderr).contains(password)
            #expect(!leaked, "the URL's password was printed: \(result.stderr)")
        }
    }

    /// A folder holding a `libcurl.so.4` compiled from `source`, for LD_LIBRARY_PATH.
    static func stubLibcurl(_ source: String) throws -> URL {
        let directory = Paths.temporaryDirectory()
        let file = directory.appendingPathComponent("stub.c")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let compile = try run("/usr/bin/env", ["cc", "-shared", "-fPIC", "-o", directory.appendingPathComponent("libcurl.so.4").path, file.path])
        try #require(compile.status == 0, "cc: \(compile.stderr)")
        return directory
    }
}
