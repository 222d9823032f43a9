import Foundation
import LLMKit
import Testing

/// The trust boundary (DESIGN §8): input records, a model's tool calls and a server's
/// bytes are untrusted. Each test here is one hole of issue 7, numbered as there.

/// 1. Records choose what to ask, never where or as whom.
@Suite struct RecordsCannotChooseTheEndpointTests {
    @Test func anOptionsRecordCannotRedirectTheKey() async throws {
        let good = try FakeServer()
        let evil = try FakeServer()
        let input = #"{"type":"options","api_base":"\#(evil.baseURL)"}"# + "\n" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini"], stdin: input,
                             environment: ["OPENAI_API_KEY": Secrets.fakeKey, "OPENAI_BASE_URL": good.baseURL])
        #expect(try await evil.requests().isEmpty, "the key went to the record's endpoint")
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("line 1") && result.stderr.contains("api_base"), "\(result.stderr)")
    }

    @Test func aBatchLineCannotRedirectTheKey() async throws {
        let good = try FakeServer()
        let evil = try FakeServer()
        let input = #"{"id":"a","api_base":"\#(evil.baseURL)","messages":[{"role":"user","content":"hi"}]}"# + "\n"
            + #"{"id":"b","messages":[{"role":"user","content":"hi"}]}"# + "\n"
        let result = try run("llm-complete", ["-m", "openai/gpt-4o-mini"], stdin: input,
                             environment: ["OPENAI_API_KEY": Secrets.fakeKey, "OPENAI_BASE_URL": good.baseURL])
        #expect(try await evil.requests().isEmpty, "the key went to the batch line's endpoint")
        let records = result.records
        #expect(records.count == 2)
        #expect(records.first?["error"]?["message"]?.stringValue?.contains("api_base") == true, "\(result.stdout)")
        #expect(records.last?["message"]?["content"] == "Echo: hi", "the other lines go on")
    }

    @Test(arguments: ["headers", "api_key", "extra_headers"])
    func recordsCannotSetCredentialsOrHeaders(field: String) async throws {
        let server = try FakeServer()
        let input = #"{"type":"options","\#(field)":{"Authorization":"Bearer stolen"}}"# + "\n" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", server.baseURL], stdin: input)
        #expect(result.status == 65, "\(field): \(result.stderr)")
        #expect(try await server.requests().isEmpty)
    }

    /// libcurl speaks many protocols; llmkit only http and https.
    @Test func onlyHTTPAndHTTPSAreSpoken() throws {
        let secret = Paths.temporaryDirectory().appendingPathComponent("chat")
        try FileManager.default.createDirectory(at: secret, withIntermediateDirectories: true)
        try "TOP-SECRET-FILE-TEXT".write(to: secret.appendingPathComponent("completions"), atomically: true, encoding: .utf8)
        let flag = try run("llm-complete", ["-m", "llamacpp/x", "--api-base", "file://\(secret.deletingLastPathComponent().path)", "hi"], stdin: nil)
        #expect(flag.status == 64, "\(flag.stderr)")
        #expect(!flag.stdout.contains("TOP-SECRET") && !flag.stderr.contains("TOP-SECRET"))
        let environment = try run("llm-complete", ["-m", "llamacpp/x", "hi"], stdin: nil,
                                  environment: ["LLMKIT_API_BASE": "file://\(secret.deletingLastPathComponent().path)"])
        #expect(environment.status == 78, "\(environment.stderr)")
        #expect(!environment.stdout.contains("TOP-SECRET") && !environment.stderr.contains("TOP-SECRET"))
    }
}

/// 2. A server that echoes the key gets nothing back out: not in deltas, text, --show or errors.
@Suite struct EchoedKeysAreRedactedTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    @Test func streamedRecordsTextAndShow() throws {
        for source in try Secrets.sources(name: "echo-auth", apiBase: server.baseURL) {
            for flags in [["--show"], ["-t"], ["-t", "--show"]] {
                let result = try run("llm-stream", ["-m", source.model, "hi"] + flags, stdin: nil, environment: source.environment)
                #expect(result.status == 0, "\(source) \(flags): \(result.stderr)")
                #expect((result.stdout + result.stderr).contains("you sent Bearer [REDACTED]"), "\(source) \(flags): \(result.stdout)")
                Secrets.expectNoKey(result, "llm-stream \(flags.joined(separator: " ")) with the key from \(source)")
            }
        }
    }

    @Test func completionsErrorsAndVerbose() throws {
        for source in try Secrets.sources(name: "echo-auth", apiBase: server.baseURL) {
            for flags in [[], ["-t"], ["-v"], ["--dry-run"]] {
                let result = try run("llm-complete", ["-m", source.model, "hi"] + flags, stdin: nil, environment: source.environment)
                #expect(result.status == 0, "\(source) \(flags): \(result.stderr)")
                Secrets.expectNoKey(result, "llm-complete \(flags.joined(separator: " ")) with the key from \(source)")
            }
        }
        let rejecting = try FakeServer(arguments: ["--require-key", "another-key"])
        for source in try Secrets.sources(name: "x", apiBase: rejecting.baseURL) {
            let result = try run("llm-stream", ["-m", source.model, "hi"], stdin: nil, environment: source.environment)
            #expect(result.status == 77, "\(source): \(result.stderr)")
            Secrets.expectNoKey(result, "a 401 that quotes the key, from \(source)")
        }
    }

    /// A key variable's value is trimmed of Unicode whitespace before it is registered, as
    /// it is before it is used: a trailing vertical tab or no-break space must not leave
    /// the bare key unmasked.
    @Test(arguments: ["\u{0B}", "\u{0C}", "\u{A0}", "\u{85}", "\u{2028}", " \n"])
    func aKeyWithTrailingWhitespaceIsMaskedBare(whitespace: String) throws {
        let input = #"{"role":"user","content":"my key is \#(Secrets.fakeKey)"}"# + "\n"
        let result = try run("llm-complete", ["-m", "mock/echo"], stdin: input, environment: ["ANTHROPIC_API_KEY": Secrets.fakeKey + whitespace])
        #expect(result.status == 0, "\(result.stderr)")
        Secrets.expectNoKey(result, "a key in the input, its variable ending in \(Array(whitespace.unicodeScalars))")
    }

    @Test func inputLinesThatCarryTheKeyAreRedactedToo() throws {
        let input = #"{"role":"user","content":"my key is \#(Secrets.fakeKey)"}"# + "\n"
        let result = try run("llm-complete", ["-m", "mock/echo"], stdin: input, environment: ["OPENAI_API_KEY": Secrets.fakeKey])
        #expect(result.status == 0, "\(result.stderr)")
        Secrets.expectNoKey(result, "a key in the input, echoed by mock/echo")
    }
}

/// 3. `http_get` checks the host libcurl will connect to.
@Suite struct HTTPGetHostTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    func fetch(_ url: String, hosts: String) throws -> String {
        let fixture = try ToolsFixture("tools:\n  - {builtin: http_get, allow: true, hosts: \(hosts)}\n")
        let arguments = JSONValue(["url": .string(url)]).serialized
        return try fixture.call("http_get", arguments)["content"]?.stringValue ?? ""
    }

    @Test func aFragmentOrUserinfoCannotDisguiseTheHost() throws {
        let port = server.port
        for url in ["http://127.0.0.1:\(port)/v1/models#@api.example.com/", "http://127.0.0.1:\(port)#@api.example.com/",
                    "http://api.example.com@127.0.0.1:\(port)/v1/models", "http://api.example.com:x@127.0.0.1:\(port)/v1/models"] {
            let content = try fetch(url, hosts: "[api.example.com]")
            #expect(content.contains("not on this tool's hosts list"), "\(url): \(content)")
            #expect(!content.contains("\"fake\""), "\(url) reached the server")
        }
    }

    @Test func hostsAreComparedAsCurlSeesThem() throws {
        let port = server.port
        #expect(try fetch("http://LOCALHOST:\(port)/v1/models", hosts: "[localhost]").hasPrefix("HTTP 200"))
        #expect(try fetch("http://%6cocalhost:\(port)/v1/models", hosts: "[localhost]").hasPrefix("HTTP 200"))
        #expect(try fetch("http://%6cocalhost:\(port)/v1/models", hosts: "[127.0.0.1]").contains("not on this tool's hosts list"))
        #expect(try fetch("http://localhost.:\(port)/v1/models", hosts: "[localhost]").contains("not on this tool's hosts list") == false)
        #expect(try fetch("http://127.0.0.1:\(port)/v1/models", hosts: "[\"127.0.0.1:\(port)\"]").hasPrefix("HTTP 200"))
        #expect(try fetch("http://127.0.0.1:\(port)/v1/models", hosts: "[\"127.0.0.1:1\"]").contains("not on this tool's hosts list"))
        #expect(try fetch("http://[::1]:\(port)/", hosts: "[127.0.0.1]").contains("not on this tool's hosts list"))
        #expect(try fetch("http://[::1]:\(port)/", hosts: "[\"::1\"]").contains("not on this tool's hosts list") == false)
        #expect(try fetch("http://127.0.0.1.evil.example:\(port)/", hosts: "[\"*.0.0.1\"]").contains("not on this tool's hosts list"))
        #expect(try fetch("gopher://127.0.0.1:\(port)/", hosts: "[127.0.0.1]").contains("only http and https"))
    }

    @Test func aRedirectToAnotherHostIsNotFollowed() throws {
        let content = try fetch("http://127.0.0.1:\(server.port)/_redirect", hosts: "[127.0.0.1]")
        #expect(content.hasPrefix("HTTP 302"), "\(content)")
        #expect(content.contains("localhost"), "the model is told where it points")
        #expect(!content.contains("\"fake\""), "the forbidden host was fetched")
    }
}

/// 4. Tools get an allowlisted environment, and cannot read llmkit's own.
@Suite struct ToolEnvironmentTests {
    static let leaky = [
        "SSH_AUTH_SOCK": "/run/user/0/ssh-agent.sock", "DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/0/bus",
        "PGPASSWORD": "pg-secret-1", "MYSQL_PWD": "mysql-secret-2", "DATABASE_URL": "postgres://u:db-secret-3@h/d",
        "AWS_SHARED_CREDENTIALS": "aws-secret-4", "GOOGLE_APPLICATION_CREDENTIALS": "/secret/creds.json",
        "OPENAI_API_KEY": Secrets.fakeKey, "GITHUB_TOKEN": "ghp-secret-5",
    ]

    /// The environments are read from files the tools write: what reaches stdout passes
    /// the redactor, which would hide a leaked key from this test.
    @Test func onlyAllowlistedAndNamedVariablesReachTools() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: command_env, command: ["sh", "-c", "env > command-env.txt"]}
              - {name: gh, command: ["sh", "-c", "test \\"$GITHUB_TOKEN\\" = ghp-secret-5 && echo has-token"], env: [GITHUB_TOKEN]}
            mcp:
              - {name: test, command: ["python3", "\(Paths.fixture("mcp_server.py").path)"], tools: [env]}
            """)
        var environment = Self.leaky
        environment["LANG"] = "C.UTF-8"
        environment["TZ"] = "UTC"
        environment["LC_TIME"] = "C"
        environment["RANDOM_THING"] = "not-allowlisted"
        let mcpFile = fixture.root.appendingPathComponent("mcp-env.txt").path
        let (result, messages) = try fixture.exec([("command_env", "{}"), ("env", #"{"path":"\#(mcpFile)"}"#), ("gh", "{}")],
                                                  flags: ["--allow-write"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let command = try String(contentsOf: fixture.root.appendingPathComponent("command-env.txt"), encoding: .utf8)
        let mcp = try String(contentsOfFile: mcpFile, encoding: .utf8)
        for (name, value) in Self.leaky {
            #expect(!command.contains(name) && !command.contains(value), "\(name) reached a command tool")
            #expect(!mcp.contains(name) && !mcp.contains(value), "\(name) reached an MCP server")
        }
        Secrets.expectNoKey(in: command, "a command tool's environment")
        Secrets.expectNoKey(in: mcp, "an MCP server's environment")
        Secrets.expectNoKey(result, "llm-tools with the key in its environment")
        #expect(!command.contains("RANDOM_THING"))
        for kept in ["PATH=", "HOME=", "LANG=C.UTF-8", "TZ=UTC", "LC_TIME=C"] { #expect(command.contains(kept), "\(kept)") }
        #expect(mcp.contains("\"PATH\""), "the MCP server got the allowlisted part")
        #expect(messages.last?["content"] == "has-token", "a variable the tools file names reaches that tool")
    }

    /// Run as an unprivileged user, since root may read any process's memory.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") && getuid() == 0))
    func aToolCannotReadLlmkitsEnvironment() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: peek, command: [\"sh\", \"-c\", \"cat /proc/$PPID/environ\"]}\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fixture.directory.path)
        let result = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--",
                                                  Paths.binary("llm-tools").path, "exec", "-f", fixture.toolsFile.path],
                             stdin: ToolsFixture.conversation([("peek", "{}")]), environment: ["OPENAI_API_KEY": Secrets.fakeKey])
        #expect(result.status == 0, "\(result.stderr)")
        let message = try #require(result.records.last)
        #expect(message["is_error"] == true, "\(message)")
        #expect(message["content"]?.stringValue?.contains("Permission denied") == true, "\(message)")
        Secrets.expectNoKey(result, "a tool reading /proc/$PPID/environ")
    }
}

/// 5. `--isolate` is a sandbox: no sockets, no home, no network, nothing writable but the root.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap"), "bubblewrap is not installed"))
struct IsolationEscapeTests {
    /// Outside /tmp on purpose: the sandbox mounts a fresh /tmp, which would hide a file there
    /// whatever else it exposes.
    let outside: URL
    let home: URL
    let runSocket: String
    let homeSocket: String
    let fixture: ToolsFixture
    let python = "/usr/bin/python3"

    init() throws {
        outside = URL(fileURLWithPath: "/var/tmp/llmkit-test-\(UUID().uuidString)")
        home = outside.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try "PRIVATE-KEY-MATERIAL".write(to: home.appendingPathComponent(".ssh/id_ed25519"), atomically: true, encoding: .utf8)
        runSocket = "/run/llmkit-test-\(UUID().uuidString.prefix(8)).sock"
        homeSocket = home.appendingPathComponent("agent.sock").path
        try Self.listen(runSocket)
        try Self.listen(homeSocket)
        let connect = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print('connected')"
        // The MCP fixture is a script outside the root: the sandbox shows it only when listed.
        fixture = try ToolsFixture("""
            readable: ["\(Paths.fixture("mcp_server.py").path)"]
            tools:
              - {name: run_socket, command: ["\(python)", "-c", "\(connect)", "\(runSocket)"]}
              - {name: home_socket, command: ["\(python)", "-c", "\(connect)", "\(homeSocket)"]}
              - {name: ssh_key, command: ["cat", "\(home.path)/.ssh/id_ed25519"]}
              - {name: home_key, command: ["sh", "-c", "cat \\"$HOME/.ssh/id_ed25519\\""]}
              - {name: scribble, command: ["sh", "-c", "echo x > \(outside.path)/escaped.txt && echo wrote"]}
              - {name: inside, command: ["sh", "-c", "echo x > inside.txt && echo wrote"]}
              - {name: environ, command: ["sh", "-c", "cat /proc/[0-9]*/environ | tr '\\\\0' '\\\\n' | grep -c SANDBOX_MARKER"]}
              - {name: whoami, command: ["sh", "-c", "grep CapEff /proc/self/status"]}
            mcp:
              - {name: files, command: ["\(python)", "\(Paths.fixture("mcp_server.py").path)"], tools: [read]}
            """)
    }

    /// A listening Unix socket: connect() succeeds while the backlog has room, no accept needed.
    static func listen(_ path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            _ = path.utf8CString.withUnsafeBytes { buffer.copyMemory(from: $0) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    func exec(_ names: [String], flags: [String]) throws -> [JSONObject] {
        let (result, messages) = try fixture.exec(names.map { ($0, "{}") }, flags: flags,
                                                  environment: ["HOME": home.path, "SANDBOX_MARKER": "1"])
        #expect(result.status == 0, "\(result.stderr)")
        return messages
    }

    @Test func withoutIsolationTheseAllReachOut() throws {
        let open = try exec(["run_socket", "home_socket", "ssh_key", "home_key"], flags: [])
        #expect(open.map { $0["content"] } == ["connected", "connected", "PRIVATE-KEY-MATERIAL", "PRIVATE-KEY-MATERIAL"],
                "the escape tests are real: these succeed unconfined")
    }

    @Test func isolatedToolsCannotReachSocketsHomeOrOtherProcesses() throws {
        let isolated = try exec(["run_socket", "home_socket", "ssh_key", "home_key", "environ", "whoami"], flags: ["--isolate"])
        try #require(isolated.count == 6)
        for message in isolated.prefix(4) {
            #expect(message["is_error"] == true, "\(message)")
            #expect(message["content"]?.stringValue?.contains("connected") == false)
            #expect(message["content"]?.stringValue?.contains("PRIVATE-KEY") == false)
        }
        #expect(isolated[4]["content"] == "0" || isolated[4]["is_error"] == true, "another process's environment: \(isolated[4])")
        #expect(isolated[5]["content"] == "CapEff:\t0000000000000000", "every capability dropped: \(isolated[5])")
    }

    @Test func isolatedToolsWriteOnlyTheRootAndOnlyWhenAllowed() throws {
        let readOnly = try exec(["scribble", "inside"], flags: ["--isolate"])
        try #require(readOnly.count == 2)
        #expect(readOnly.allSatisfy { $0["is_error"] == true }, "\(readOnly)")
        #expect(!FileManager.default.fileExists(atPath: fixture.root.appendingPathComponent("inside.txt").path))
        let writable = try exec(["scribble", "inside"], flags: ["--isolate", "--allow-write"])
        try #require(writable.count == 2)
        #expect(writable[0]["is_error"] == true, "\(writable[0])")
        #expect(writable[1]["content"] == "wrote")
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("escaped.txt").path))
    }

    @Test func mcpServersAreIsolatedToo() throws {
        let path = home.appendingPathComponent(".ssh/id_ed25519").path
        let (open, _) = try fixture.exec([("read", #"{"path":"\#(path)"}"#)], environment: ["HOME": home.path])
        #expect(open.records.last?["content"] == "PRIVATE-KEY-MATERIAL", "\(open.stderr)")
        let (result, isolated) = try fixture.exec([("read", #"{"path":"\#(path)"}"#)], flags: ["--isolate"], environment: ["HOME": home.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(isolated.first?["is_error"] == true, "\(isolated)")
        #expect(isolated.first?["content"]?.stringValue?.contains("PRIVATE-KEY") == false)
    }
}

/// 6. File built-ins work on checked descriptors: no race out of the root, no hang on a FIFO.
@Suite struct FileBuiltinRaceTests {
    @Test func fifosAndHardLinksAreRefusedPromptly() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n  - builtin: write_file\n  - builtin: list_dir\n")
        #expect(mkfifo(fixture.root.appendingPathComponent("pipe").path, 0o644) == 0)
        #expect(link(fixture.outside.appendingPathComponent("secret.txt").path, fixture.root.appendingPathComponent("hard.txt").path) == 0)
        let conversation = ToolsFixture.conversation([("read_file", #"{"path":"pipe"}"#), ("write_file", #"{"path":"pipe","content":"x"}"#),
                                                      ("write_file", #"{"path":"hard.txt","content":"pwned"}"#)])
        let result = try run("llm-tools", ["exec", "--allow-write", "-f", fixture.toolsFile.path], stdin: conversation, timeout: 20)
        #expect(!result.timedOut, "a FIFO hung the tool")
        let messages = result.records.filter { $0["role"] == "tool" }
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0["is_error"] == true }, "\(messages)")
        #expect(messages[0]["content"]?.stringValue?.contains("not a regular file") == true, "\(messages)")
        #expect(messages[2]["content"]?.stringValue?.contains("hard link") == true, "\(messages)")
        #expect(try String(contentsOf: fixture.outside.appendingPathComponent("secret.txt"), encoding: .utf8) == "secret outside the root\n")
    }

    /// A directory and a symlink to outside swap names as fast as the kernel allows while
    /// the tools read through that name. Bounded: about 8 s.
    @Test func aSymlinkSwappedInDuringACallNeverEscapes() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n  - builtin: list_dir\n  - builtin: search_files\n")
        let inside = fixture.root.appendingPathComponent("d")
        try FileManager.default.createDirectory(at: inside, withIntermediateDirectories: true)
        try "inside text\n".write(to: inside.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        try "OUTSIDE-SECRET\n".write(to: fixture.outside.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        try "x\n".write(to: fixture.outside.appendingPathComponent("only-outside.txt"), atomically: true, encoding: .utf8)
        let link = fixture.root.appendingPathComponent("l")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: fixture.outside.path)

        let swapper = Process()
        swapper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        swapper.arguments = ["python3", Paths.fixture("swap_race.py").path, inside.path, link.path, "8"]
        swapper.standardOutput = FileHandle.nullDevice
        try swapper.run()
        defer { swapper.waitUntilExit() }
        let calls = (0..<60).flatMap { _ in
            [("read_file", #"{"path":"d/note.txt"}"#), ("list_dir", #"{"path":"d"}"#), ("search_files", #"{"pattern":"SECRET|text","path":"d"}"#)]
        }
        var runs = 0
        var escapes: [String] = []
        let end = Date().addingTimeInterval(7)
        while Date() < end {
            let (result, messages) = try fixture.exec(calls, flags: ["-j", "4"])
            #expect(result.status == 0, "\(result.stderr)")
            runs += messages.count
            escapes += messages.compactMap { $0["content"]?.stringValue }.filter { $0.contains("OUTSIDE-SECRET") || $0.contains("only-outside") }
        }
        #expect(runs > 300, "the race ran")
        #expect(escapes.isEmpty, "\(escapes.count) escapes in \(runs) calls: \(escapes.prefix(3))")
    }
}

/// 7. search_files runs the model's regex in linear time, within the tool's deadline.
@Suite struct SearchDeadlineTests {
    @Test func catastrophicPatternsFinish() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: search_files\n")
        try (String(repeating: "a", count: 30) + "b\n" + String(repeating: "a", count: 5000) + "!\n")
            .write(to: fixture.root.appendingPathComponent("evil.txt"), atomically: true, encoding: .utf8)
        // Each fails on the long lines only after trying every way to split the a's, for a
        // backtracking matcher: 2^n ways.
        let conversation = ToolsFixture.conversation([("search_files", #"{"pattern":"^(a+)+$"}"#),
                                                      ("search_files", #"{"pattern":"(a|aa)*c$"}"#),
                                                      ("search_files", #"{"pattern":"^(a+\\s?)*$"}"#),
                                                      ("search_files", #"{"pattern":"a{3}b"}"#)])
        let result = try run("llm-tools", ["exec", "-f", fixture.toolsFile.path], stdin: conversation, timeout: 20)
        #expect(!result.timedOut, "the regex ran away")
        let messages = result.records.filter { $0["role"] == "tool" }
        let hit: JSONValue = .string("evil.txt:1: " + String(repeating: "a", count: 30) + "b")
        let expected: [JSONValue?] = ["no matches", "no matches", "no matches", hit]
        #expect(messages.map { $0["content"] } == expected, "\(messages)")
    }

    @Test func builtinsHonourTheirTimeout() throws {
        let fixture = try ToolsFixture("tools:\n  - {builtin: search_files, timeout: 0.5}\n")
        let big = String(repeating: String(repeating: "ab", count: 2000) + "\n", count: 1000)
        for i in 0..<10 { try big.write(to: fixture.root.appendingPathComponent("f\(i).txt"), atomically: true, encoding: .utf8) }
        let start = Date()
        let message = try fixture.call("search_files", #"{"pattern":"(a|b|ab|ba)*(a|b)*c"}"#)
        #expect(Date().timeIntervalSince(start) < 8)
        #expect(message["is_error"] == true, "\(message)")
        #expect(message["content"]?.stringValue?.contains("timed out") == true, "\(message)")
    }
}

/// 8 and 9. Every descendant of a tool dies with its call, with llm-tools, and on signals.
@Suite struct DescendantTests {
    @Test func aTimedOutToolsSetsidGrandchildDies() throws {
        let marker = "4242.\(Int.random(in: 100...999))"
        let fixture = try ToolsFixture("tools:\n  - {name: slow, command: [\"sh\", \"-c\", \"setsid sleep \(marker) & echo started; sleep 30\"], timeout: 1}\n")
        let message = try fixture.call("slow", "{}")
        #expect(message["content"]?.stringValue?.contains("timed out") == true)
        #expect(runningProcesses(containing: "sleep \(marker)").isEmpty, "an orphan outlived its call")
    }

    @Test func aFinishedToolsDaemonDies() throws {
        let marker = "4343.\(Int.random(in: 100...999))"
        let fixture = try ToolsFixture("tools:\n  - {name: daemon, command: [\"sh\", \"-c\", \"setsid sleep \(marker) > /dev/null 2>&1 < /dev/null & sleep 0.3; echo forked\"]}\n")
        let message = try fixture.call("daemon", "{}")
        #expect(message["content"] == "forked")
        #expect(runningProcesses(containing: "sleep \(marker)").isEmpty, "a daemonized child outlived its call")
    }

    /// Results are written as they are ready; a reader that stops reading blocks that write.
    /// A signal must still end the run at once (what it cannot write could not be read).
    @Test func aSignalEndsExecBlockedOnAStalledReader() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: big, command: ["sh", "-c", "head -c 30000 /dev/zero | tr '\\\\0' a"]}
            """)
        // stdout is never read: the pipe fills at 64 KiB, a few results in.
        let (process, unread) = try fixture.startExec(Array(repeating: ("big", "{}"), count: 8), flags: ["-j", "1"],
                                                 environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        usleep(1_500_000)
        kill(process.processIdentifier, SIGINT)
        let watchdog = Watchdog(process, after: 5)
        withExtendedLifetime(unread) { process.waitUntilExit() }
        #expect(!watchdog.fired, "llm-tools did not end on the signal while its reader was stalled")
        #expect(process.terminationStatus == 130, "status \(process.terminationStatus)")
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalsKillToolsAndKeepWhatCompleted(signal: Int32) throws {
        let marker = "25.\(Int.random(in: 100...999))"
        let fixture = try ToolsFixture("""
            tools:
              - {name: quick, command: ["echo", "quick result"]}
              - {name: slow, command: ["sh", "-c", "setsid sleep \(marker) & sleep \(marker)"], timeout: 60}
            """)
        let (process, output) = try fixture.startExec([("quick", "{}"), ("slow", "{}")], flags: ["-j", "2"],
                                                      environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
        let started = Date()
        while runningProcesses(containing: "sleep \(marker)").count < 2, Date().timeIntervalSince(started) < 10 { usleep(50_000) }
        usleep(200_000)
        kill(process.processIdentifier, signal)
        let watchdog = Watchdog(process, after: 10)
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!watchdog.fired, "llm-tools did not end on the signal")
        #expect(process.terminationStatus == 130, "signal \(signal): status \(process.terminationStatus)")
        let records = stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
        #expect(records.contains { $0["role"] == "tool" && $0["content"] == "quick result" }, "what completed is written: \(stdout)")
        #expect(records.last?["type"] == "error" && records.last?["code"] == "interrupted", "\(stdout)")
        usleep(100_000)
        #expect(runningProcesses(containing: "sleep \(marker)").isEmpty, "signal \(signal) orphaned a tool")
    }
}

/// 10. --confirm shows what the model asked for, never terminal control sequences.
@Suite struct ConfirmPromptTests {
    @Test func controlCharactersAreShownEscaped() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: read_file\n")
        let input = fixture.directory.appendingPathComponent("chat.jsonl")
        let output = fixture.directory.appendingPathComponent("out.jsonl")
        let log = fixture.directory.appendingPathComponent("tty.log")
        // Arguments that are valid JSON cannot hold raw control bytes; a tool name can.
        let hostile = "read_file\u{1B}[2K\r\u{1B}[1Arun harmless_tool? [y/N] \u{07}"
        let call = JSONValue(["role": "assistant", "content": .null, "tool_calls": [["id": "c1", "type": "function",
                              "function": ["name": .string(hostile), "arguments": #"{"path":"hello.txt"}"#]]]])
        try (#"{"role":"user","content":"go"}"# + "\n" + call.serialized + "\n").write(to: input, atomically: true, encoding: .utf8)
        let command = "\(Paths.binary("llm-tools").path) exec --confirm -f \(fixture.toolsFile.path) < \(input.path) > \(output.path)"
        let result = try run("/usr/bin/env", ["python3", Paths.fixture("answer_on_tty.py").path, "n", command], stdin: nil,
                             environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "TTY_LOG": log.path],
                             timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let shown = try Data(contentsOf: log)
        #expect(!shown.contains(0x1B) && !shown.contains(0x07), "raw control bytes reached the terminal: \(String(decoding: shown, as: UTF8.self).debugDescription)")
        #expect(String(decoding: shown, as: UTF8.self).contains(#"\e[2K\r\e[1A"#))
    }
}

/// 11. Config headers cannot inject lines or replace the credentials.
@Suite struct ConfigHeaderTests {
    @Test(arguments: ["X-Team: \"a\\r\\nX-Injected: 1\"", "X-Team: \"a\\nb\"", "Authorization: \"Bearer other\"",
                      "authorization: \"Bearer other\"", "\"Bad Name\": x"])
    func badHeadersAreConfigurationErrors(header: String) async throws {
        let server = try FakeServer()
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  corp:\n    api_base: \(server.baseURL)\n    api_key_env: CORP_KEY\n    headers:\n      \(header)\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let result = try run("llm-complete", ["-m", "corp/x", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path, "CORP_KEY": Secrets.fakeKey])
        #expect(result.status == 78, "\(header): \(result.stderr)")
        #expect(try await server.requests().isEmpty)
    }
}
