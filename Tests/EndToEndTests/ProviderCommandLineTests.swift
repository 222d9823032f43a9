import Foundation
import LLMKit
import Testing

/// An environment whose config declares `commands` (YAML lines under `commands:`).
func cmdConfig(_ commands: String) throws -> [String: String] {
    let file = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
    try "providers:\n  cmd:\n    commands:\n\(commands)".write(to: file, atomically: true, encoding: .utf8)
    return ["LLMKIT_CONFIG": file.path]
}

/// `--list-providers`, and the `cmd` provider's promises: no keys in a runner's
/// environment, the text it is given, a deadline.
@Suite struct ProviderCommandLineTests {
    @Test func listProvidersSaysWhetherAKeyIsSetButNeverTheKey() throws {
        let key = "sk-ant-list-0123456789abcdef"
        let result = try run("llm-complete", ["--list-providers"], stdin: nil, environment: ["ANTHROPIC_API_KEY": key])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        let byName = Dictionary(uniqueKeysWithValues: result.records.compactMap { r in r["name"]?.stringValue.map { ($0, r) } })
        #expect(byName["anthropic"]?["key_set"] == true)
        #expect(byName["gemini"]?["key_set"] == false)
        #expect(byName["gemini"]?["key_from"] == "GEMINI_API_KEY or GOOGLE_API_KEY")
        #expect(byName["ollama_chat"]?["supports"]?["streaming"] == true)
        let table = try run("llm-stream", ["--list-providers", "-t"], stdin: nil, environment: ["ANTHROPIC_API_KEY": key])
        #expect(table.stdout.hasPrefix("PROVIDER"))
        #expect(table.stdout.contains("ANTHROPIC_API_KEY (set)") && !table.stdout.contains(key))
    }

    @Test func aRunnerGetsNoKeys() throws {
        var environment = try cmdConfig("      env: [/usr/bin/env]\n      named: {argv: [/usr/bin/env], env: [RUNNER_TOKEN]}\n")
        environment["OPENAI_API_KEY"] = "sk-runner-leak-0123456789"
        environment["RUNNER_TOKEN"] = "passed-on-purpose"
        let plain = try run("llm-complete", ["-m", "cmd/env", "-t", "hi"], stdin: nil, environment: environment)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains("OPENAI_API_KEY") && !plain.stdout.contains("RUNNER_TOKEN"))
        #expect(plain.stdout.contains("PATH="))
        let named = try run("llm-complete", ["-m", "cmd/named", "-t", "hi"], stdin: nil, environment: environment)
        // Passed on, and masked like a key in what llmkit prints: its name says it is a secret.
        #expect(named.stdout.contains("RUNNER_TOKEN=[REDACTED]") && !named.stdout.contains("passed-on-purpose"))
    }

    @Test func aRunnerReadsTheConversationAsText() throws {
        let environment = try cmdConfig("      cat: [/bin/cat]\n")
        let lone = try run("llm-complete", ["-m", "cmd/cat", "-t", "just this"], stdin: nil, environment: environment)
        #expect(lone.stdout == "just this\n")
        let led = try run("llm-complete", ["-m", "cmd/cat", "-t", "-s", "Be brief.", "hi"], stdin: nil, environment: environment)
        #expect(led.stdout == "System: Be brief.\n\nUser: hi\n")
    }

    @Test func aRunnerThatOverstaysIsEndedWithItsChildren() throws {
        let environment = try cmdConfig("      slow: {argv: [/bin/sh, -c, 'sleep 300 & sleep 300'], timeout: 1}\n")
        let result = try run("llm-complete", ["-m", "cmd/slow", "--retries", "0", "hi"], stdin: nil, environment: environment, timeout: 60)
        #expect(result.status == 75)
        #expect(result.lastRecord?["code"] == "timeout")
        #expect(runningProcesses(containing: "sleep 300").isEmpty, "the runner's children outlived it")
    }

    @Test func unknownConfigKeysAndBadCommandsAreConfigErrors() throws {
        let file = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  anthropic:\n    max_tokens_feild: 10\n".write(to: file, atomically: true, encoding: .utf8)
        let typo = try run("llm-complete", ["-m", "mock/echo", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": file.path])
        #expect(typo.status == 78)
        #expect(typo.stderr.contains("max_tokens_feild") && typo.stderr.contains("default_max_tokens"))
        let bad = try run("llm-complete", ["-m", "mock/echo", "hi"], stdin: nil, environment: try cmdConfig("      x: {argv: [], input: yaml}\n"))
        #expect(bad.status == 78)
        #expect(bad.stderr.contains("commands.x"))
    }
}

/// A runner must not outlive the command that started it, however that command ends.
@Suite struct RunnerLifetimeTests {
    @Test func aDaemonARunnerLeavesBehindIsEnded() throws {
        let environment = try cmdConfig("      daemon: [/bin/sh, -c, 'setsid sh -c \"sleep 311\" > /dev/null 2>&1 & echo done']\n")
        let result = try run("llm-complete", ["-m", "cmd/daemon", "-t", "hi"], stdin: nil, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(runningProcesses(containing: "sleep 311").isEmpty, "the runner's daemon outlived llm-complete")
    }

    @Test func aSignalEndsTheRunnerToo() throws {
        let environment = try cmdConfig("      slow: [/bin/sh, -c, 'sleep 312; echo late']\n")
        let process = Process()
        process.executableURL = Paths.binary("llm-stream")
        process.arguments = ["-m", "cmd/slow", "-t", "hi"]
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "HOME": Paths.temporaryDirectory().path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where runningProcesses(containing: "sleep 312").isEmpty { usleep(50_000) }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        usleep(200_000)
        #expect(runningProcesses(containing: "sleep 312").isEmpty, "the runner outlived an interrupted llm-stream")
    }

    @Test func aReaderThatLeavesStopsTheRunner() throws {
        let environment = try cmdConfig("      endless: {argv: [/usr/bin/yes, word], timeout: 600}\n")
        let started = ContinuousClock.now
        let result = try run("/bin/sh", ["-c", "\(Paths.binary("llm-stream").path) -t -m cmd/endless hi | head -c 20"], stdin: nil,
                             environment: environment, timeout: 120)
        #expect(result.stdout == "word\nword\nword\nword\n")
        #expect(ContinuousClock.now - started < .seconds(100), "the runner ran until its timeout")
        #expect(runningProcesses(containing: "/usr/bin/yes word").isEmpty)
    }

    @Test func aRunnerPastTheReplyLimitIsStoppedAndSaysSo() throws {
        let file = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try "providers:\n  cmd:\n    max_reply_mb: 1\n    commands:\n      endless: {argv: [/usr/bin/yes, word], timeout: 600}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try run("llm-complete", ["-m", "cmd/endless", "hi"], stdin: nil, environment: ["LLMKIT_CONFIG": file.path], timeout: 120)
        #expect(result.status == 69)
        #expect(result.lastRecord?["code"] == "invalid_reply")
    }

    @Test func aRecordCannotLengthenTheRunnersTimeout() throws {
        let environment = try cmdConfig("      slow: {argv: [/bin/sh, -c, 'sleep 5; echo late'], timeout: 1}\n")
        let input = #"{"type":"options","timeout":30}"# + "\n" + #"{"role":"user","content":"hi"}"# + "\n"
        let result = try run("llm-complete", ["-m", "cmd/slow", "--retries", "0"], stdin: input, environment: environment)
        #expect(result.lastRecord?["code"] == "timeout")
    }
}

@Suite struct ProviderListingSecretsTests {
    @Test func credentialsInBaseURLsAreMasked() throws {
        let result = try run("llm-complete", ["--list-providers"], stdin: nil, environment: [
            "ANTHROPIC_BASE_URL": "https://bob:AnthPassw0rdXYZ@gw.example", "OLLAMA_HOST": "http://carol:OllPassw0rd99@127.0.0.1:11434",
        ])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("AnthPassw0rdXYZ") && !result.stdout.contains("OllPassw0rd99"))
    }
}
