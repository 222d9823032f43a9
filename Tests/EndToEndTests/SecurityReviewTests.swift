import Foundation
import LLMKit
import Testing

/// Holes an adversarial review found in the first closing of issue 7, each kept closed here.
@Suite struct SecurityReviewTests {
    /// Named variables reach a sandboxed tool through its environment, never through
    /// bubblewrap's command line, which every local user can read in /proc.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")))
    func isolatedToolsGetSecretsOffTheCommandLine() throws {
        let token = "ghp_cmdline_secret_\(Int.random(in: 100_000...999_999))"
        let fixture = try ToolsFixture("tools:\n  - {name: slow, command: [\"sh\", \"-c\", \"sleep 2; test -n \\\"$GITHUB_TOKEN\\\" && echo has-token\"], env: [GITHUB_TOKEN]}\n")
        let (process, output) = try fixture.startExec([("slow", "{}")], flags: ["--isolate"],
                                                      environment: ["PATH": "/usr/bin:/bin", "GITHUB_TOKEN": token])
        var seen: [String] = []
        for _ in 0..<15 {
            usleep(100_000)
            seen += runningProcesses(containing: token)
        }
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(seen.isEmpty, "the token is on a command line: \(seen.first ?? "")")
        #expect(stdout.contains("has-token"), "the tool still gets it: \(stdout)")
    }

    /// With the endpoint set by flag or environment, a record may not switch to another
    /// provider, whose key would go to that endpoint.
    @Test func aRecordCannotSendAnotherProvidersKeyToTheOverriddenEndpoint() async throws {
        let server = try FakeServer()
        let input = #"{"type":"options","model":"openai/echo-auth"}"# + "\n" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-complete", ["--api-base", server.baseURL], stdin: input,
                             environment: ["OPENAI_API_KEY": Secrets.fakeKey])
        #expect(result.status == 65, "\(result.stderr)")
        let batch = #"{"id":1,"model":"groq/echo-auth","messages":[{"role":"user","content":"hi"}]}"# + "\n"
        let viaEnvironment = try run("llm-complete", [], stdin: batch,
                                     environment: ["GROQ_API_KEY": Secrets.fakeKey, "LLMKIT_API_BASE": server.baseURL])
        #expect(viaEnvironment.records.first?["error"] != nil, "\(viaEnvironment.stdout)")
        let headers = try await server.requests().compactMap { $0["headers"]?["Authorization"]?.stringValue }
        #expect(headers.isEmpty, "a key went to the overridden endpoint: \(headers)")
        let sameProvider = try run("llm-complete", ["--api-base", server.baseURL],
                                   stdin: #"{"type":"options","model":"llamacpp/other"}"# + "\n" + #"{"role":"user","content":"hi"}"# + "\n")
        #expect(sameProvider.status == 0, "another model of the same provider is fine: \(sameProvider.stderr)")
    }

    /// The sandbox shows the tool's program, not the folder the tools file is in (often home).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap")))
    func theToolsFilesFolderIsNotInTheSandbox() throws {
        let fixture = try ToolsFixture("""
            tools:
              - {name: beside, command: ["./beside.sh"]}
            """)
        try fixture.write("beside.sh", "#!/bin/sh\ncat \(fixture.outside.path)/secret.txt 2>&1 || echo hidden\n", executable: true)
        let (result, messages) = try fixture.exec([("beside", "{}")], flags: ["--isolate"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(messages.first?["content"]?.stringValue?.hasSuffix("hidden") == true, "a shipped script runs, and sees nothing beside it: \(messages)")
    }

    @Test func aDaemonWithNoEnvironmentDiesWithItsCall() throws {
        let marker = "4646.\(Int.random(in: 100...999))"
        let fixture = try ToolsFixture("""
            tools:
              - {name: daemon, command: ["sh", "-c", "setsid env -i /bin/sleep \(marker) > /dev/null 2>&1 < /dev/null & sleep 0.3; echo forked"]}
              - {name: check, command: ["sh", "-c", "if pgrep -f 'slee[p] \(marker)' > /dev/null; then echo ALIVE; else echo DEAD; fi"]}
            """)
        let (_, messages) = try fixture.exec([("daemon", "{}"), ("check", "{}")], flags: ["-j", "1"])
        #expect(messages.last?["content"] == "DEAD", "it outlived its call: \(messages)")
    }

    /// A tool that keeps forking, leaving each parent, with an empty environment: still ended.
    @Test func aForkingHopperDiesWithLlmTools() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: hop, command: [\"./hop.sh\"], timeout: 2}\n")
        let heartbeat = fixture.directory.appendingPathComponent("heartbeat").path
        let script = fixture.directory.appendingPathComponent("hop.sh").path
        // Bounded whatever becomes of this test: one left by an interrupted run hopped for
        // twelve hours, a core's worth of forks that skewed every benchmark on the machine.
        let stopAt = Int(Date().timeIntervalSince1970) + 60
        try fixture.write("hop.sh", """
            #!/bin/sh
            [ "$(date +%s)" -lt \(stopAt) ] || exit 0
            echo $$ >> \(heartbeat)
            setsid env -i /bin/sh \(script) > /dev/null 2>&1 < /dev/null &
            exit 0
            """, executable: true)
        defer {
            // A hop between fork and exec escapes pkill; without its script it goes no further.
            try? FileManager.default.removeItem(atPath: script)
            _ = try? run("/usr/bin/pkill", ["-f", script], stdin: nil)
        }
        _ = try fixture.exec([("hop", "{}")])
        usleep(300_000)
        let before = (try? String(contentsOfFile: heartbeat, encoding: .utf8))?.count ?? 0
        usleep(700_000)
        let after = (try? String(contentsOfFile: heartbeat, encoding: .utf8))?.count ?? 0
        #expect(before > 0, "the hopper ran")
        #expect(after == before, "the hopper outlived llm-tools")
    }

    /// Keys a server sees are masked however the output spells them: JSON-escaped, cut short
    /// in a message, in a URL's password, in a configured header.
    @Test func keysAreMaskedInEveryForm() throws {
        let server = try FakeServer()
        let directory = Paths.temporaryDirectory()
        let config = directory.appendingPathComponent("config.yaml")
        try """
            providers:
              corp:
                api_base: \(server.baseURL)
                api_key_env: CORP_KEY
                headers: {X-Auth-Token: tok-config-header-secret-1234}
            """.write(to: config, atomically: true, encoding: .utf8)
        let escaped = #"esc\ape"key-0123456789"#
        let echoed = try run("llm-complete", ["-m", "corp/echo-auth", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": config.path, "CORP_KEY": escaped])
        #expect(echoed.status == 0, "\(echoed.stderr)")
        #expect(!echoed.stdout.contains(#"ape\"key-0123"#), "the JSON-escaped key leaked: \(echoed.stdout)")
        let dryRun = try run("llm-complete", ["-m", "corp/x", "--dry-run", "-v", "hi"], stdin: nil,
                             environment: ["LLMKIT_CONFIG": config.path, "CORP_KEY": "k-0123456789ab", "LLMKIT_API_BASE": "http://user:S3cretPassw0rd@127.0.0.1:1/v1"])
        #expect(!(dryRun.stdout + dryRun.stderr).contains("S3cretPassw0rd"), "a URL's password: \(dryRun.stdout)")
        #expect(!(dryRun.stdout + dryRun.stderr).contains("tok-config-header-secret"), "a credential header: \(dryRun.stdout)")
    }

    /// What a server, a record or a model says reaches a terminal as text, never as
    /// escape sequences.
    @Test func stderrCarriesNoEscapeSequences() throws {
        let result = try run("llm-complete", ["-v", "hi"], stdin: nil, environment: ["LLMKIT_MODEL": "evil\u{1B}]0;PWNED\u{07}/x"])
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"), "\(result.stderr.debugDescription)")
        let fixture = try ToolsFixture("tools:\n  - {name: \"t\", description: \"line one\\u001b[2Kline two\", command: [\"true\"]}\n")
        let list = try run("llm-tools", ["list", "-t", "-f", fixture.toolsFile.path], stdin: nil)
        #expect(!list.stdout.contains("\u{1B}"), "\(list.stdout.debugDescription)")
    }

    @Test func sigquitIsAnInterruptionNotACrashReport() throws {
        let server = try FakeServer()
        let process = Process()
        process.executableURL = Paths.binary("llm-complete")
        process.arguments = ["-m", "llamacpp/slow", "--api-base", server.baseURL, "hi"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        usleep(500_000)
        kill(process.processIdentifier, SIGQUIT)
        let watchdog = Watchdog(process, after: 5)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(!watchdog.fired)
        #expect(process.terminationStatus == 130, "\(process.terminationStatus)")
        #expect(stderr.split(separator: "\n").count == 1, "one line, no backtrace: \(stderr.prefix(300))")
    }

    /// A FIFO is looked at, not opened: opening one is itself an effect (a reader blocked on
    /// it gets EOF, a writer SIGPIPE).
    @Test func fifosAreNeverOpened() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: write_file\n  - builtin: search_files\n")
        let fifo = fixture.root.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        reader.standardOutput = FileHandle.nullDevice
        try reader.run()
        defer { if reader.isRunning { kill(reader.processIdentifier, SIGKILL) } }
        let (_, messages) = try fixture.exec([("write_file", #"{"path":"pipe","content":"x"}"#), ("search_files", #"{"pattern":"x"}"#)],
                                             flags: ["--allow-write"])
        #expect(messages.first?["is_error"] == true)
        usleep(200_000)
        #expect(reader.isRunning, "a reader blocked on the FIFO was released: it was opened")
    }
}

/// Holes a second adversarial review found in the fixes above.
@Suite struct SecondReviewTests {
    @Test func assertionsThatConsumeNothingStillCountTowardTheDeadline() throws {
        let fixture = try ToolsFixture("tools:\n  - {builtin: search_files, timeout: 2}\n")
        try String(repeating: String(repeating: "y", count: 2000) + "\n", count: 40)
            .write(to: fixture.root.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        let start = Date()
        let conversation = ToolsFixture.conversation([("search_files", #"{"pattern":"(?:(?:\\b|\\B){1000}){4}x"}"#)])
        let result = try run("llm-tools", ["exec", "-f", fixture.toolsFile.path], stdin: conversation, timeout: 30)
        #expect(!result.timedOut && Date().timeIntervalSince(start) < 6, "ran \(Date().timeIntervalSince(start)) s for a 2 s timeout")
        #expect(result.records.last?["content"]?.stringValue?.contains("timed out") == true, "\(result.stdout.suffix(300))")
    }

    /// A regular file and a FIFO swap names while write_file writes one of them: the FIFO
    /// must never be opened (a reader blocked on it would be released). Bounded: about 4 s.
    @Test func aFIFOSwappedInIsNeverOpenedForWriting() throws {
        let fixture = try ToolsFixture("tools:\n  - builtin: write_file\n")
        let file = fixture.root.appendingPathComponent("w").path
        let fifo = fixture.root.appendingPathComponent("wf").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(mkfifo(fifo, 0o644) == 0)
        let outsideName = fixture.outside.appendingPathComponent("fifo").path
        #expect(link(fifo, outsideName) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [outsideName]
        reader.standardOutput = FileHandle.nullDevice
        try reader.run()
        defer { if reader.isRunning { kill(reader.processIdentifier, SIGKILL) } }
        let swapper = Process()
        swapper.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        swapper.arguments = ["python3", Paths.fixture("swap_race.py").path, file, fifo, "4"]
        swapper.standardOutput = FileHandle.nullDevice
        try swapper.run()
        defer { swapper.waitUntilExit() }
        let calls = (0..<200).map { _ in ("write_file", #"{"path":"w","content":"data"}"#) }
        let end = Date().addingTimeInterval(3.5)
        while Date() < end, reader.isRunning {
            _ = try fixture.exec(calls, flags: ["-j", "4", "--allow-write"])
        }
        #expect(reader.isRunning, "the FIFO was opened for writing")
    }

    @Test func aKeyAcrossTheOutputCapDoesNotLeaveHalf() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: leak, command: [\"sh\", \"-c\", \"printf '%060d' 0; printf \\\"$MY_TOKEN\\\"\"], env: [MY_TOKEN]}\n")
        let (result, messages) = try fixture.exec([("leak", "{}")], flags: ["--max-output", "75"], environment: ["MY_TOKEN": "tok-SECRETSECRET-123"])
        #expect(result.status == 0)
        let content = messages.first?["content"]?.stringValue ?? ""
        #expect(!content.contains("tok-SECRET"), "\(content.debugDescription)")
    }

    @Test func urlCredentialsAreNeverShown() throws {
        for base in ["http://user:pass@127.0.0.1:1/v1", "http://user:pa%24%24word123456@127.0.0.1:1/v1", "http://ghp_TOKENTOKENTOKEN1234@127.0.0.1:1/v1"] {
            let result = try run("llm-complete", ["-m", "llamacpp/x", "-v", "--dry-run", "hi"], stdin: nil, environment: ["LLMKIT_API_BASE": base])
            let shown = result.stdout + result.stderr
            for secret in ["pass@", "pa%24%24word", "word123456", "ghp_TOKEN"] {
                #expect(!shown.contains(secret), "\(base): \(shown)")
            }
        }
    }

    @Test func aRelativeToolsFileKeepsItsScriptsBesideIt() throws {
        let fixture = try ToolsFixture("tools:\n  - {name: hi, command: [\"./hi.sh\"]}\n")
        try fixture.write("hi.sh", "#!/bin/sh\necho hi from beside\n", executable: true)
        let input = fixture.directory.appendingPathComponent("chat.jsonl")
        try ToolsFixture.conversation([("hi", "{}")]).write(to: input, atomically: true, encoding: .utf8)
        let result = try run("/bin/sh", ["-c", "cd '\(fixture.directory.path)' && '\(Paths.binary("llm-tools").path)' exec -f tools.yaml < chat.jsonl"], stdin: nil)
        #expect(result.records.last?["content"] == "hi from beside", "\(result.stdout) \(result.stderr)")
    }
}
