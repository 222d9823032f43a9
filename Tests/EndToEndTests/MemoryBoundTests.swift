import Foundation
import LLMKit
import Testing

/// Issue 8: memory stays flat whatever a peer sends. Peak memory is read from the kernel
/// (`getrusage`) for the tool alone.
@Suite struct MemoryBoundTests {
    let server: FakeServer
    init() throws { server = try FakeServer() }

    /// Runs a tool under peak_rss.py: its status, peak memory in MiB, and stderr.
    func measured(_ tool: String, _ arguments: [String]) throws -> (status: Int32, mib: Int, stderr: String) {
        let result = try run("/usr/bin/env", ["python3", Paths.fixture("peak_rss.py").path, Paths.binary(tool).path] + arguments, stdin: nil,
                             environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], timeout: 60)
        let last = result.stdout.split(separator: "\n").last?.split(separator: " ") ?? []
        return (Int32(last.first ?? "") ?? -1, (Int(last.last ?? "") ?? 0) / 1024, result.stderr)
    }

    @Test func aHugeErrorBodyIsCutToItsStart() throws {
        let (status, mib, stderr) = try measured("llm-complete", ["-m", "llamacpp/big-error", "--api-base", server.baseURL, "--retries", "0", "hi"])
        #expect(status == 75, "\(stderr)")
        #expect(mib < 60, "a 100 MB error body took \(mib) MiB")
        #expect(stderr.split(separator: "\n").count == 1 && stderr.count < 1000, "one short line")
    }

    @Test func aHugeReplyIsRefusedPastTheLimit() throws {
        let (status, mib, stderr) = try measured("llm-complete", ["-m", "llamacpp/big-reply", "--api-base", server.baseURL, "hi"])
        #expect(status == 69, "\(stderr)")
        #expect(stderr.contains("max_reply_mb"), "the message names the setting: \(stderr)")
        #expect(mib < 80, "a 100 MB reply took \(mib) MiB")
    }

    @Test func aHugeStreamedEventIsRefused() throws {
        let (status, mib, stderr) = try measured("llm-stream", ["-m", "llamacpp/big-event", "--api-base", server.baseURL, "hi"])
        #expect(status == 69, "\(stderr)")
        #expect(stderr.contains("MiB"), "\(stderr)")
        #expect(mib < 80, "a 40 MB event took \(mib) MiB")
    }
}
