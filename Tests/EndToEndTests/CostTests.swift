import Foundation
import LLMKit
import Testing

@Suite struct CostCommandTests {
    static let transcript = [
        #"{"role":"user","content":"hi"}"#,
        #"{"role":"assistant","content":"x","model":"anthropic/claude-sonnet-4-5-20250929","usage":{"input_tokens":100000,"cache_read_tokens":80000,"cache_write_tokens":10000,"output_tokens":1000}}"#,
        #"{"role":"assistant","content":"y","model":"openai/gpt-4o","usage":{"input_tokens":1000,"output_tokens":500}}"#,
        #"{"id":"r1","message":{"role":"assistant","content":"z","model":"openai/gpt-4o","usage":{"input_tokens":2000,"output_tokens":100}}}"#,
        #"{"role":"assistant","content":"free","model":"ollama/llama3.2","usage":{"input_tokens":10,"output_tokens":5}}"#,
    ].joined(separator: "\n") + "\n"

    @Test func annotatedCostsAddUpToTheTable() throws {
        let annotated = try run("llm-cost", ["--annotate"], stdin: Self.transcript)
        #expect(annotated.status == 0)
        let costs = annotated.records.compactMap { ($0["cost"] ?? $0["message"]?["cost"])?["usd"]?.doubleValue }
        #expect(costs.count == 4)
        let summary = try run("llm-cost", [], stdin: annotated.stdout)
        let total = try #require(summary.lastRecord?["usd"]?.doubleValue)
        #expect(abs(total - costs.reduce(0, +)) < 1e-6)
        #expect(abs(total - (0.1065 + 0.0075 + 0.006)) < 1e-9)
        let table = try run("llm-cost", ["-t"], stdin: annotated.stdout)
        #expect(table.stdout.contains("TOTAL") && table.stdout.contains("$0.1200"))
    }

    /// Anthropic's cached tokens priced from LiteLLM's own file (a model only the file has:
    /// Claude 3.5 Haiku as Bedrock names it).
    @Test func theLiteLLMFilePricesAnthropicCaching() throws {
        // The shared copy of LiteLLM's file where it is beside this checkout, else the sample.
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let shared = here.appendingPathComponent("../../../shared/reference/litellm-model-prices-1.106.2.json").standardized.path
        let path = FileManager.default.fileExists(atPath: shared) ? shared : Paths.fixture("litellm-prices-sample.json").path
        let line = #"{"role":"assistant","content":"x","model":"bedrock/anthropic.claude-3-5-haiku-20241022-v1:0","usage":{"input_tokens":10000,"cache_read_tokens":6000,"cache_write_tokens":2000,"output_tokens":500}}"# + "\n"
        let result = try run("llm-cost", ["--prices", path], stdin: line)
        #expect(result.status == 0, "\(result.stderr)")
        // 2000 uncached at $0.80/M, 6000 read at $0.08/M, 2000 written at $1/M, 500 out at $4/M
        let expected = 2000 * 0.8e-6 + 6000 * 0.08e-6 + 2000 * 1e-6 + 500 * 4e-6
        #expect(abs((result.lastRecord?["usd"]?.doubleValue ?? 0) - expected) < 1e-9, "\(result.stdout)")
    }

    @Test func aBudgetSaysByHowMuchItIsExceeded() throws {
        let over = try run("llm-cost", ["--budget", "0.01"], stdin: Self.transcript)
        #expect(over.status == 1)
        #expect(over.stderr.contains("over budget by $0.1100"))
        let under = try run("llm-cost", ["--budget", "1"], stdin: Self.transcript)
        #expect(under.status == 0)
        let exactly = try run("llm-cost", ["--budget", "0.12"], stdin: Self.transcript)
        #expect(exactly.status == 0, "exactly at the budget is not over it")
    }

    @Test func unknownModelsAreReportedNeverFree() throws {
        let result = try run("llm-cost", [], stdin: #"{"role":"assistant","content":"x","model":"acme/mystery","usage":{"input_tokens":5,"output_tokens":5}}"# + "\n")
        #expect(result.lastRecord?["unpriced_models"] == ["acme/mystery": 1])
        #expect(result.lastRecord?["requests"] == 0)
        #expect(result.stderr.contains("no price for acme/mystery"))
    }

    @Test func aBrokenLineIsNamedUnlessKeepGoing() throws {
        let input = Self.transcript + #"{"role":"assistant","usage": nope}"# + "\n"
        let strict = try run("llm-cost", [], stdin: input)
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("line 6"))
        let lenient = try run("llm-cost", ["--keep-going"], stdin: input)
        #expect(lenient.status == 0)
        #expect(lenient.stderr.contains("skipped 1 line"))
    }

    @Test func ownPriceFormatAndGrouping() throws {
        let prices = Paths.temporaryDirectory().appendingPathComponent("prices.json")
        try #"{"acme/mystery": {"input": 1, "output": 2}}"#.write(to: prices, atomically: true, encoding: .utf8)
        let input = #"{"role":"assistant","content":"x","model":"acme/mystery","usage":{"input_tokens":1000000,"output_tokens":1000000}}"# + "\n" + Self.transcript
        let result = try run("llm-cost", ["--prices", prices.path, "--by", "provider"], stdin: input)
        let groups = result.lastRecord?["groups"]?.arrayValue ?? []
        #expect(groups.first { $0["key"] == "acme" }?["usd"] == 3)
        #expect(groups.map { $0["key"]?.stringValue ?? "" }.sorted() == ["acme", "anthropic", "ollama", "openai"])
    }

    /// A month of cron logs, read as the daily report users otherwise write in jq.
    @Test func byDayAndHourInLocalTimeAndInTimeOrder() throws {
        func line(_ created: Int, _ input: Int) -> String {
            #"{"role":"assistant","content":"x","model":"openai/gpt-4o","created":\#(created),"usage":{"input_tokens":\#(input),"output_tokens":0}}"#
        }
        // 2026-11-02 23:30 UTC, 2026-11-01 10:00 and 10:45 UTC, and one with no time.
        let input = [line(1793662200, 400_000), line(1793527200, 1_000_000), line(1793529900, 200_000),
                     #"{"role":"assistant","content":"x","model":"openai/gpt-4o","usage":{"input_tokens":4,"output_tokens":0}}"#].joined(separator: "\n") + "\n"
        let days = try run("llm-cost", ["--by", "day"], stdin: input, environment: ["TZ": "UTC"])
        let groups = days.lastRecord?["groups"]?.arrayValue ?? []
        #expect(groups.map { $0["key"]?.stringValue ?? "" } == ["(no time)", "2026-11-01", "2026-11-02"])
        #expect(groups.first { $0["key"] == "2026-11-01" }?["usd"] == 3)
        let hours = try run("llm-cost", ["--by", "hour"], stdin: input, environment: ["TZ": "UTC"])
        #expect(hours.lastRecord?["groups"]?.arrayValue?.map { $0["key"]?.stringValue ?? "" } == ["(no time)", "2026-11-01 10:00", "2026-11-02 23:00"])
        // Local time: in Tokyo (UTC+9) the 23:30 message falls on the 3rd.
        let tokyo = try run("llm-cost", ["--by", "day", "-t"], stdin: input, environment: ["TZ": "Asia/Tokyo"])
        #expect(tokyo.stdout.contains("2026-11-03"), "\(tokyo.stdout)")
    }

    /// Every reply says when it came and, with --tag, which job spent it.
    @Test func repliesCarryTheirTimeAndTagForGrouping() throws {
        let before = Int(Date().timeIntervalSince1970)
        let reply = try run("llm-complete", ["-m", "mock/echo", "--tag", "nightly-report", "hi"])
        #expect(reply.status == 0, "\(reply.stderr)")
        let message = try #require(reply.records.last)
        #expect(message["tag"] == "nightly-report")
        let created = try #require(message["created"]?.intValue)
        #expect(created >= before && created <= before + 120)
        let other = #"{"role":"assistant","content":"x","model":"openai/gpt-4o","tag":"adhoc","usage":{"input_tokens":1000000,"output_tokens":0}}"#
        let byTag = try run("llm-cost", ["--by", "tag"], stdin: reply.stdout + other + "\n")
        let groups = byTag.lastRecord?["groups"]?.arrayValue ?? []
        #expect(groups.map { $0["key"]?.stringValue ?? "" } == ["adhoc", "nightly-report"])
        #expect(groups.first { $0["key"] == "adhoc" }?["usd"] == 2.5)
    }

    /// A batch checked before it runs: prompts approximated (4 bytes a token, 4 a message,
    /// 3 for the reply), every reply at its max_tokens.
    @Test func aBatchIsEstimatedAtItsWorstCase() throws {
        let text = String(repeating: "abcd", count: 100)
        let batch = [
            #"{"id":"a","model":"openai/gpt-4o","max_tokens":1000,"messages":[{"role":"user","content":"\#(text)"}]}"#,
            #"{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o","messages":[{"role":"user","content":"\#(text)"}]}}"#,
        ].joined(separator: "\n") + "\n"
        let oneRequest = 107 * 2.5e-6 + 1000 * 1e-5
        let result = try run("llm-cost", ["--estimate", "--max-tokens", "1000", "--by", "id"], stdin: batch)
        #expect(result.status == 0, "\(result.stderr)")
        let record = try #require(result.lastRecord)
        #expect(record["estimate"] == true && record["input_tokens"] == 214 && record["output_tokens"] == 2000)
        #expect(abs((record["usd"]?.doubleValue ?? 0) - 2 * oneRequest) < 1e-9)
        #expect(record["groups"]?.arrayValue?.map { $0["key"]?.stringValue ?? "" }.sorted() == ["a", "b"])

        let unbounded = try run("llm-cost", ["--estimate"], stdin: batch)
        #expect(unbounded.lastRecord?["unbounded_requests"] == 1)
        #expect(unbounded.stderr.contains("1 request set no max_tokens"))
        let overBudget = try run("llm-cost", ["--estimate", "--max-tokens", "1000", "--budget", "0.01"], stdin: batch)
        #expect(overBudget.status == 1 && overBudget.stderr.contains("over budget by $0.0105"), "\(overBudget.stderr)")
        let table = try run("llm-cost", ["--estimate", "--max-tokens", "1000", "-t"], stdin: batch)
        #expect(table.stdout.contains("worst case") && table.stdout.contains("$0.0205"), "\(table.stdout)")
    }

    /// A plain conversation is the one request llm-complete would send for it.
    @Test func aConversationIsEstimatedAsOneRequest() throws {
        let input = #"{"role":"system","content":"be brief"}"# + "\n" + #"{"role":"user","content":"hello there"}"# + "\n"
        let result = try run("llm-cost", ["--estimate", "-m", "openai/gpt-4o", "--max-tokens", "10"], stdin: input)
        // 3 + (4 + 2) + (4 + 3) prompt tokens
        #expect(result.lastRecord?["requests"] == 1 && result.lastRecord?["input_tokens"] == 16, "\(result.stdout)")
        let misuse = try run("llm-cost", ["--max-tokens", "10"], stdin: input)
        #expect(misuse.status == 64)
    }

    /// The config prices what the tables do not: a model of one's own, and a local
    /// provider by the hour of a rented GPU, spread over each request's wall time.
    @Test func theConfigPricesModelsAndRentedGPUsByTheHour() throws {
        let config = Paths.temporaryDirectory().appendingPathComponent("config.yaml")
        try """
            prices:
              acme/widget: {input: 1, output: 2}
              ollama/*: {per_hour: 3.6}
            """.write(to: config, atomically: true, encoding: .utf8)
        let input = [
            #"{"role":"assistant","content":"x","model":"acme/widget","usage":{"input_tokens":1000000,"output_tokens":1000000}}"#,
            #"{"role":"assistant","content":"x","model":"ollama/llama3.2","usage":{"input_tokens":10,"output_tokens":5},"timings":{"total_ms":2000}}"#,
        ].joined(separator: "\n") + "\n"
        let result = try run("llm-cost", ["--annotate"], stdin: input, environment: ["LLMKIT_CONFIG": config.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.records.map { $0["cost"]?["usd"] } == [3, 0.002])
        #expect(result.records.last?["cost"]?["time"] == 0.002)
        // Without the config, the local model is free and the other unknown.
        let plain = try run("llm-cost", [], stdin: input)
        #expect(plain.lastRecord?["usd"] == 0 && plain.lastRecord?["unpriced_requests"] == 1)

        try "prices:\n  acme/widget: {input: 1}\n".write(to: config, atomically: true, encoding: .utf8)
        let broken = try run("llm-cost", [], stdin: input, environment: ["LLMKIT_CONFIG": config.path])
        #expect(broken.status == 78 && broken.stderr.contains("acme/widget needs input and output"), "\(broken.stderr)")
    }

    /// A local model named like a hosted one runs on one's own hardware: free, or at the
    /// local provider's own price; and a cell cannot forge a table row.
    @Test func localModelsAreNeverPricedAsHostedOnesAndCellsCannotForgeRows() throws {
        let prices = Paths.temporaryDirectory().appendingPathComponent("gpu.json")
        try #"{"gpu-box/*":{"per_hour":3.6}}"#.write(to: prices, atomically: true, encoding: .utf8)
        let input = [
            #"{"role":"assistant","content":"x","model":"ollama/gpt-4o","usage":{"input_tokens":1000000,"output_tokens":0}}"#,
            #"{"role":"assistant","content":"x","model":"gpu-box/gpt-4o","usage":{"input_tokens":1000000,"output_tokens":0},"timings":{"total_ms":1000}}"#,
        ].joined(separator: "\n") + "\n"
        let result = try run("llm-cost", ["--prices", prices.path, "--annotate"], stdin: input)
        #expect(result.records.map { $0["cost"]?["usd"] } == [0, 0.001], "\(result.stdout)")

        let forged = #"{"role":"assistant","content":"x","model":"openai/gpt-4o","tag":"x\nTOTAL 0 0 0 0 $0.0000","usage":{"input_tokens":1000000,"output_tokens":0}}"# + "\n"
        let table = try run("llm-cost", ["--by", "tag", "-t"], stdin: forged)
        #expect(table.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("TOTAL") }.count == 1, "\(table.stdout)")
    }
}
