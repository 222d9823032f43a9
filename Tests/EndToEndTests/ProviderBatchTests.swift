import Foundation
import LLMKit
import Testing

/// `llm-complete --batch-api` against a fake of OpenAI's Batch API and Anthropic's Message
/// Batches: the result lines must be the ones a `-j` batch writes for the same input.
@Suite struct ProviderBatchTests {
    let server: FakeServer
    let config: String
    static let key = "sk-batch-test-6f1e2d3c4b5a"

    init() throws {
        try self.init(expiring: [])
    }

    init(expiring: [String]) throws {
        server = try FakeServer(script: "fake_batches.py", arguments: ["--key", Self.key, "--polls-before-done", "3"] + expiring.flatMap { ["--expire", $0] })
        config = Paths.temporaryDirectory().appendingPathComponent("config.yaml").path
        try """
        providers:
          oa: {type: openai, api_base: "http://127.0.0.1:\(server.port)/v1", api_key_env: BATCH_KEY}
          an: {type: anthropic, api_base: "http://127.0.0.1:\(server.port)", api_key_env: BATCH_KEY}
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// Requests of several kinds, an options record and another record passed through, and
    /// a request that fails.
    static func input(provider: String) -> String {
        [
            #"{"id":"a","model":"\#(provider)/plain","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}"#,
            #"{"type":"options","max_tokens":100}"#,
            #"{"id":"b","model":"\#(provider)/multi-turn","messages":[{"role":"user","content":"one"},{"role":"assistant","content":"1"},{"role":"user","content":"two"}]}"#,
            #"{"type":"note","text":"kept as it is"}"#,
            #"{"id":"c","model":"\#(provider)/tool-call","messages":[{"role":"user","content":"weather?"}],"tools":[{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}"#,
            #"{"id":"d","model":"\#(provider)/context","messages":[{"role":"user","content":"too long"}]}"#,
        ].joined(separator: "\n") + "\n"
    }

    func complete(_ arguments: [String], stdin: String?) throws -> CommandResult {
        try run("llm-complete", arguments, stdin: stdin, environment: ["LLMKIT_CONFIG": config, "BATCH_KEY": Self.key])
    }

    /// Result lines without what differs between any two runs: when, and how long.
    static func comparable(_ result: CommandResult) -> [JSONObject] {
        result.records.map { record in
            guard var message = record["message"]?.objectValue else { return record }
            message = message.removing(["timings", "created"])
            var copy = record
            copy["message"] = .object(message)
            return copy
        }
    }

    @Test(arguments: ["oa", "an"])
    func theBatchServiceWritesWhatDashJWrites(provider: String) async throws {
        let input = Self.input(provider: provider)
        let perRequest = try complete(["-j", "4"], stdin: input)
        let batch = try complete(["--batch-api", "--poll-interval", "0.05"], stdin: input)
        #expect(batch.status == perRequest.status)
        #expect(perRequest.status == 65, "the context overflow is the first failure")
        let expected = Self.comparable(perRequest)
        #expect(expected.count == 6)
        #expect(Self.comparable(batch) == expected)
        #expect(batch.stderr.contains("submitted batch"))
        #expect(batch.stderr.contains("3 of 4 done") || batch.stderr.contains("of 4 done"))
        #expect(!batch.stdout.contains(Self.key) && !batch.stderr.contains(Self.key))
        let paths = try await server.requests().compactMap { $0["path"]?.stringValue }
        #expect(paths.contains(provider == "oa" ? "/v1/batches" : "/v1/messages/batches"))
    }

    @Test func detachThenResume() throws {
        let input = Self.input(provider: "oa")
        let detached = try complete(["--batch-api", "--detach"], stdin: input)
        #expect(detached.status == 0)
        let job = try #require(detached.lastRecord)
        #expect(job["type"] == "batch_job")
        #expect(job["requests"] == 4)
        let file = Paths.temporaryDirectory().appendingPathComponent("job.jsonl").path
        try detached.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let resumed = try complete(["--resume", file, "--poll-interval", "0.05"], stdin: nil)
        let direct = try complete(["-j", "2"], stdin: input)
        #expect(resumed.status == direct.status)
        #expect(Self.comparable(resumed) == Self.comparable(direct))
    }

    @Test func anExpiredRequestIsATimeoutOnItsOwnLine() throws {
        // The request on input line 6 (id "d") is left to expire.
        let expiring = try ProviderBatchTests(expiring: ["line-6"])
        let input = Self.input(provider: "oa").replacingOccurrences(of: "oa/context", with: "oa/plain")
        let batch = try expiring.complete(["--batch-api", "--poll-interval", "0.05"], stdin: input)
        let last = try #require(batch.records.last)
        #expect(last["id"] == "d")
        #expect(last["error"]?["code"] == "timeout")
        #expect(last["error"]?["model"] == "oa/plain")
        #expect(batch.status == 75)
    }

    @Test func aProviderWithoutABatchServiceIsSaidAtOnce() throws {
        let result = try complete(["--batch-api", "-m", "mock/echo"], stdin: #"{"id":1,"messages":[{"role":"user","content":"hi"}]}"# + "\n")
        #expect(result.status == 64)
        #expect(result.stderr.contains("no batch service"))
    }
}
