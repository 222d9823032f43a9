import Foundation
import LLMKit
import Testing

@Suite struct BuiltinToolTests {
    let fixture: ToolsFixture
    init() throws {
        fixture = try ToolsFixture("""
            tools:
              - builtin: read_file
              - builtin: write_file
              - builtin: edit_file
              - builtin: list_dir
              - builtin: search_files
            """)
        // Ways out: a symlink to a file outside, one to a directory outside.
        try FileManager.default.createSymbolicLink(atPath: fixture.root.appendingPathComponent("link.txt").path,
                                                   withDestinationPath: fixture.outside.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: fixture.root.appendingPathComponent("out").path, withDestinationPath: fixture.outside.path)
    }

    func content(_ message: JSONObject) -> String { message["content"]?.stringValue ?? "" }

    @Test func readFileAndLineRanges() throws {
        #expect(content(try fixture.call("read_file", #"{"path":"hello.txt"}"#)) == "hello\nsecond line\nthird\n")
        #expect(content(try fixture.call("read_file", #"{"path":"hello.txt","offset":2,"limit":1}"#)) == "second line")
    }

    @Test(arguments: ["../outside/secret.txt", "/etc/passwd", "link.txt", "out/secret.txt", "../../../../../../etc/hostname"])
    func readEscapesAreRefused(path: String) throws {
        let message = try fixture.call("read_file", #"{"path":"\#(path)"}"#)
        #expect(message["is_error"] == true)
        #expect(content(message).contains("outside the tool root") || content(message).contains("cannot open"))
        #expect(!content(message).contains("secret outside"))
    }

    @Test func writeNeedsPermissionThenStaysInside() throws {
        let refused = try fixture.call("write_file", #"{"path":"new.txt","content":"x"}"#)
        #expect(content(refused).contains("--allow-write"))
        #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("new.txt").path))
        try FileManager.default.createDirectory(at: fixture.root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let written = try fixture.call("write_file", #"{"path":"sub/../new.txt","content":"made"}"#, flags: ["--allow-write"])
        #expect(written["is_error"] == nil, "\(content(written))")
        #expect(try String(contentsOf: fixture.root.appendingPathComponent("new.txt"), encoding: .utf8) == "made")
    }

    @Test(arguments: ["../outside/new.txt", "/tmp/llmkit-escape.txt", "link.txt", "out/new.txt", "out/secret.txt"])
    func writeEscapesAreRefused(path: String) throws {
        let message = try fixture.call("write_file", #"{"path":"\#(path)","content":"pwned"}"#, flags: ["--allow-write"])
        #expect(message["is_error"] == true, "\(content(message))")
        #expect(try String(contentsOf: fixture.outside.appendingPathComponent("secret.txt"), encoding: .utf8) == "secret outside the root\n")
        #expect(!FileManager.default.fileExists(atPath: fixture.outside.appendingPathComponent("new.txt").path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/llmkit-escape.txt"))
    }

    @Test func editFileReplacesAUniqueString() throws {
        let ok = try fixture.call("edit_file", #"{"path":"hello.txt","old_string":"second","new_string":"2nd"}"#, flags: ["--allow-write"])
        #expect(ok["is_error"] == nil)
        #expect(try String(contentsOf: fixture.root.appendingPathComponent("hello.txt"), encoding: .utf8) == "hello\n2nd line\nthird\n")
        try "a a".write(to: fixture.root.appendingPathComponent("twice.txt"), atomically: true, encoding: .utf8)
        #expect(content(try fixture.call("edit_file", #"{"path":"twice.txt","old_string":"a","new_string":"b"}"#, flags: ["--allow-write"])).contains("occurs 2 times"))
        #expect(content(try fixture.call("edit_file", #"{"path":"hello.txt","old_string":"absent","new_string":"b"}"#, flags: ["--allow-write"])).contains("not found"))
        #expect(try fixture.call("edit_file", #"{"path":"link.txt","old_string":"secret","new_string":"x"}"#, flags: ["--allow-write"])["is_error"] == true)
        #expect(try fixture.call("edit_file", #"{"path":"out/secret.txt","old_string":"secret","new_string":"x"}"#, flags: ["--allow-write"])["is_error"] == true)
        #expect(try String(contentsOf: fixture.outside.appendingPathComponent("secret.txt"), encoding: .utf8) == "secret outside the root\n")
    }

    @Test func listDirAndItsEscapes() throws {
        try FileManager.default.createDirectory(at: fixture.root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        let listing = content(try fixture.call("list_dir", "{}"))
        #expect(listing.split(separator: "\n").contains("docs/"))
        #expect(listing.split(separator: "\n").contains("hello.txt"))
        for path in ["..", "/", "out"] {
            #expect(try fixture.call("list_dir", #"{"path":"\#(path)"}"#)["is_error"] == true, "\(path)")
        }
    }

    @Test func searchFilesStaysInside() throws {
        let hits = content(try fixture.call("search_files", #"{"pattern":"sec(ond|ret)"}"#))
        #expect(hits == "hello.txt:2: second line", "symlinks out are not followed")
        #expect(try fixture.call("search_files", #"{"pattern":"secret","path":"out"}"#)["is_error"] == true)
        #expect(content(try fixture.call("search_files", #"{"pattern":"(unclosed"}"#)).contains("invalid regular expression"))
    }

    @Test func badCallsBecomeResultsTheModelCanRead() throws {
        let (result, messages) = try fixture.exec([
            ("read_file", #"{"path": "hello.txt""#),
            ("read_file", #"{"path": 5}"#),
            ("no_such_tool", "{}"),
            ("read_file", #"{"path":"hello.txt","limit":1}"#),
        ])
        #expect(result.status == 0)
        #expect(messages.map { $0["tool_call_id"] } == ["call_1", "call_2", "call_3", "call_4"], "results in call order")
        #expect(content(messages[0]).contains("not valid JSON"))
        #expect(content(messages[1]).contains("$.path: expected string"))
        #expect(content(messages[2]).contains("there is no tool named \"no_such_tool\""))
        #expect(content(messages[3]) == "hello")
        #expect(messages.allSatisfy { $0["duration_ms"]?.doubleValue != nil && $0["truncated"] != nil && $0["name"] != nil })
    }
}

@Suite struct CommandToolTests {
    @Test func argumentsOnStdinAndAsEnvironment() throws {
        let fixture = try ToolsFixture("""
            tools:
              - name: echo_args
                parameters: {type: object, properties: {city: {type: string}, days: {type: integer}}}
                command: ["./echo.sh"]
                env: true
            """)
        try fixture.write("echo.sh", "#!/bin/sh\nprintf 'stdin=%s env=%s/%s' \"$(cat)\" \"$LLM_ARG_CITY\" \"$LLM_ARG_DAYS\"\n", executable: true)
        let message = try fixture.call("echo_args", #"{"city":"Paris","days":3}"#)
        #expect(message["content"] == #"stdin={"city":"Paris","days":3} env=Paris/3"#)
        #expect(message["exit_status"] == 0)
    }

    @Test func failuresOversizeBinaryAndSilentStdin() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: fails, command: ["sh", "-c", "echo bad input >&2; exit 3"]}
              - {name: big, command: ["sh", "-c", "head -c 2000000 /dev/zero | tr '\\\\0' x"]}
              - {name: binary, command: ["printf", "\\\\000\\\\001\\\\377"]}
              - {name: ignores_stdin, command: ["echo", "done"]}
            """)
        let (result, messages) = try fixture.exec([("fails", "{}"), ("big", "{}"), ("binary", "{}"),
                                                   ("ignores_stdin", #"{"blob":"\#(String(repeating: "y", count: 300_000))"}"#)],
                                                  flags: ["--max-output", "1000"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(messages[0]["exit_status"] == 3 && messages[0]["is_error"] == true)
        #expect(messages[0]["content"]?.stringValue?.contains("bad input") == true)
        #expect(messages[1]["truncated"] == true)
        #expect(messages[1]["content"]?.stringValue?.hasSuffix("[output truncated at 1000 bytes]") == true)
        #expect((messages[1]["content"]?.stringValue?.utf8.count ?? 0) < 1100)
        #expect(messages[2]["content"] == "[binary output, 3 bytes, not shown]")
        #expect(messages[3]["content"] == "done")
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: slow, command: ["sh", "-c", "sleep 30 & echo started; sleep 30"], timeout: 1}
            """)
        let start = Date()
        let message = try fixture.call("slow", "{}")
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(message["content"]?.stringValue?.contains("timed out after 1 s") == true)
        #expect(message["is_error"] == true)
        let survivors = try run("/usr/bin/pgrep", ["-f", "sleep 30 & echo started"], stdin: nil)
        #expect(survivors.stdout.isEmpty, "the background sleep died with its group")
    }

    @Test func environmentIsScrubbed() throws {
        let dir = Paths.temporaryDirectory()
        let config = dir.appendingPathComponent("config.yaml")
        try "providers:\n  corp:\n    api_base: http://127.0.0.1:1/v1\n    api_key_env: CORP_LLM\n".write(to: config, atomically: true, encoding: .utf8)
        let fixture = try ToolsFixture("""
            tools:
              - {name: command_env, command: ["env"]}
            mcp:
              - {name: test, command: ["python3", "\(Paths.fixture("mcp_server.py").path)"], tools: [env]}
            """)
        let secrets = ["OPENAI_API_KEY": "sk-1", "GITHUB_TOKEN": "ghp-2", "AWS_SECRET": "aws-3", "DB_PASSWORD": "pw-4",
                       "CORP_LLM": "corp-5", "LLMKIT_CONFIG": config.path]
        let (result, messages) = try fixture.exec([("command_env", "{}"), ("env", "{}")], environment: secrets)
        #expect(result.status == 0, "\(result.stderr)")
        let shown = messages.map { $0["content"]?.stringValue ?? "" }.joined()
        #expect(messages.count == 2)
        #expect(shown.contains("PATH="), "the command tool's environment")
        #expect(shown.contains("\"PATH\""), "the MCP server's environment")
        for (name, value) in secrets where name != "LLMKIT_CONFIG" {
            #expect(!shown.contains(value), "\(name) leaked")
        }
    }
}

@Suite struct GatedBuiltinTests {
    @Test func shellAndHTTPNeedAnExplicitAllow() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: shell\n  - builtin: http_get\n")
        #expect(try fixture.call("shell", #"{"command":"echo hi"}"#)["content"]?.stringValue?.contains("allow: true") == true)
        #expect(try fixture.call("http_get", #"{"url":"http://127.0.0.1:1/"}"#)["content"]?.stringValue?.contains("allow: true") == true)
    }

    /// A tool that is off is not offered: a model would only waste a turn calling it.
    @Test func toolsThatAreOffAreNotListed() throws {
        func listed(_ yaml: String) throws -> [String] {
            let fixture = try ToolsFixture(yaml)
            let result = try run("llm-tools", ["list", "-f", fixture.toolsFile.path], stdin: nil)
            #expect(result.status == 0, "\(result.stderr)")
            return result.lastRecord?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        }
        #expect(try listed("tools:\n  - builtin: read_file\n  - builtin: shell\n  - builtin: http_get\n") == ["read_file"])
        #expect(try listed("tools:\n  - {builtin: shell, allow: true}\n  - {builtin: http_get, allow: true, hosts: [example.com]}\n")
                == ["shell", "http_get"])
    }

    @Test func allowedShellRunsInTheRoot() throws {
        let fixture = try ToolsFixture("tools:\n  - {builtin: shell, allow: true}\n")
        let message = try fixture.call("shell", #"{"command":"pwd; ls"}"#)
        #expect(message["content"]?.stringValue?.contains("hello.txt") == true)
        #expect(message["exit_status"] == 0)
    }

    @Test func httpGetOnlyReachesListedHosts() throws {
        let server = try FakeServer()
        let fixture = try ToolsFixture("tools:\n  - {builtin: http_get, allow: true, hosts: [127.0.0.1]}\n")
        let ok = try fixture.call("http_get", #"{"url":"\#(server.baseURL)/models"}"#)
        #expect(ok["content"]?.stringValue?.hasPrefix("HTTP 200") == true)
        #expect(ok["content"]?.stringValue?.contains("\"fake\"") == true)
        let refused = try fixture.call("http_get", #"{"url":"http://localhost:\#(server.port)/v1/models"}"#)
        #expect(refused["content"]?.stringValue?.contains("not on this tool's hosts list") == true)
        #expect(try fixture.call("http_get", #"{"url":"file:///etc/passwd"}"#)["is_error"] == true)
    }

    @Test func confirmWithoutATerminalRefuses() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n")
        // setsid: no controlling terminal, so nobody can say yes.
        let result = try run("/usr/bin/setsid", ["-w", Paths.binary("llm-tools").path, "exec", "--confirm", "-f", fixture.toolsFile.path],
                             stdin: ToolsFixture.conversation([("read_file", #"{"path":"hello.txt"}"#)]))
        let message = try #require(result.records.last)
        #expect(message["content"]?.stringValue?.contains("refused") == true)
    }

    @Test(arguments: [("y", "hello"), ("n", "refused")])
    func confirmAsksOnTheTerminal(answer: String, expected: String) throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n")
        let input = fixture.directory.appendingPathComponent("chat.jsonl")
        let output = fixture.directory.appendingPathComponent("out.jsonl")
        try ToolsFixture.conversation([("read_file", #"{"path":"hello.txt","limit":1}"#)]).write(to: input, atomically: true, encoding: .utf8)
        let command = "\(Paths.binary("llm-tools").path) exec --confirm -f \(fixture.toolsFile.path) < \(input.path) > \(output.path)"
        let result = try run("/usr/bin/env", ["python3", Paths.fixture("answer_on_tty.py").path, answer, command], stdin: nil,
                             environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        #expect(result.status == 0, "\(result.stderr)")
        let message = try #require(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").last)
        #expect(message.contains(expected))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "bubblewrap is not installed"))
    func isolationCutsTheNetworkAndWritesOutsideTheRoot() throws {
        let server = try FakeServer()
        let fixture = try ToolsFixture("""
            tools:
              - {name: fetch, command: ["curl", "-sS", "--max-time", "2", "\(server.baseURL)/models"]}
              - {name: scribble, command: ["sh", "-c", "echo x > \(Paths.temporaryDirectory().path)/escaped.txt && echo wrote"]}
              - {name: inside, command: ["sh", "-c", "echo x > inside.txt && echo wrote"]}
            """)
        let (_, open) = try fixture.exec([("fetch", "{}")])
        #expect(open.first?["exit_status"] == 0, "reachable without --isolate")
        let (result, isolated) = try fixture.exec([("fetch", "{}"), ("scribble", "{}"), ("inside", "{}")], flags: ["--isolate", "--allow-write"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(isolated[0]["is_error"] == true)
        #expect(isolated[1]["is_error"] == true)
        #expect(isolated[2]["content"] == "wrote")
    }
}

@Suite struct IsolationWithoutBubblewrapTests {
    @Test func isolateRefusesToRunUnconfined() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: hi, command: [\"echo\", \"hi\"]}\n")
        let (result, messages) = try fixture.exec([("hi", "{}")], flags: ["--isolate"], environment: ["LLMKIT_BWRAP": ""])
        #expect(result.status == 78)
        #expect(result.stderr.contains("bubblewrap"))
        #expect(messages.isEmpty, "nothing ran")
    }
}

@Suite struct MCPToolTests {
    let fixture: ToolsFixture
    init() throws {
        fixture = try ToolsFixture("""
            mcp:
              - name: calc
                command: ["python3", "\(Paths.fixture("mcp_server.py").path)"]
                tools: [add, shout]
            """)
    }

    @Test func listShowsTheServersTools() throws {
        let result = try run("llm-tools", ["list", "-f", fixture.toolsFile.path], stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")
        let tools = try #require(result.lastRecord?["tools"]?.arrayValue)
        #expect(tools.map { $0["name"] } == ["add", "shout"])
        #expect(tools[0]["parameters"]?["required"] == ["a", "b"])
    }

    @Test func callsGoThroughTheClient() throws {
        let (result, messages) = try fixture.exec([("add", #"{"a":2,"b":40}"#), ("shout", #"{"text":"hi"}"#), ("add", #"{"a":1}"#)])
        #expect(result.status == 0)
        #expect(messages.map { $0["content"] }.prefix(2) == ["42", "HI"])
        #expect(messages[2]["content"]?.stringValue?.contains("missing required property \"b\"") == true)
    }
}

@Suite struct PendingTests {
    @Test func pendingExitStatus() throws {
        let calls = ToolsFixture.conversation([("f", "{}")])
        #expect(try run("llm-tools", ["pending"], stdin: calls).status == 0)
        let answered = calls + #"{"role":"tool","tool_call_id":"call_1","content":"ok"}"# + "\n"
        #expect(try run("llm-tools", ["pending"], stdin: answered).status == 1)
        #expect(try run("llm-tools", ["pending"], stdin: #"{"role":"user","content":"hi"}"# + "\n").status == 1)
        #expect(try run("llm-tools", ["pending"], stdin: calls).stdout.isEmpty)
    }
}

/// Calls run at once (`-j`): one ending must never take another's freshly spawned process
/// for an orphan and kill it (seen in CI: a tool "killed by signal 9" 9 ms after it began,
/// or cut off with exit 0 and no output).
@Suite struct ConcurrentCallTests {
    /// The race is at a batch's start: the quick call ends before the other has begun.
    @Test func aCallEndingLeavesOnesJustStartedAlone() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: quick, command: ["true"]}
              - {name: slow, command: ["sh", "-c", "sleep 0.02; echo ok"]}
            """)
        for round in 0..<120 {
            let (result, messages) = try fixture.exec([("quick", "{}"), ("slow", "{}")], flags: ["-j", "2"])
            let slow = messages.first { $0["name"] == "slow" }
            #expect(result.status == 0 && slow?["content"] == "ok", "round \(round): \(slow.map { JSONValue.object($0).serialized } ?? result.stderr)")
            if slow?["content"] != "ok" { break }
        }
    }
}

/// `exec` writes each result as soon as every call before it has one, so the results held
/// at any moment are those waiting for an earlier call, not all of them.
@Suite struct ResultsAsReadyTests {
    @Test func aResultIsWrittenOnceTheCallsBeforeItAreDone() throws {
        let out = Paths.temporaryDirectory().appendingPathComponent("out.jsonl")
        // The last call counts the results already in llm-tools' output when it runs.
        let fixture = try ToolsFixture("""
            tools:
              - {name: quick, command: ["true"]}
              - {name: count, command: ["sh", "-c", "grep -c '\\"role\\":\\"tool\\"' \(out.path) || true"]}
            """)
        try ToolsFixture.conversation([("quick", "{}"), ("quick", "{}"), ("count", "{}")])
            .write(to: fixture.directory.appendingPathComponent("in.jsonl"), atomically: true, encoding: .utf8)
        let command = "\(Paths.binary("llm-tools").path) exec -j 1 -f \(fixture.toolsFile.path) < \(fixture.directory.path)/in.jsonl > \(out.path)"
        let result = try run("/bin/sh", ["-c", command], stdin: nil)
        #expect(result.status == 0, "\(result.stderr)")
        let records = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        let count = records.first { $0["name"] == "count" }
        #expect(count?["content"] == "2")
        #expect(records.filter { $0["role"] == "tool" }.map { $0["tool_call_id"] } == ["call_1", "call_2", "call_3"])
    }
}
