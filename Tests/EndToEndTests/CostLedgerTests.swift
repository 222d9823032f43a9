import Foundation
import LLMKit
import Testing

/// `--ledger`: the spend of many runs in one file, and budgets over a day or a month.
@Suite struct CostLedgerTests {
    /// One message costing exactly $0.12 at the built-in gpt-4o price ($2.50/M in, $10/M out).
    static let twelveCents = #"{"role":"assistant","content":"x","model":"openai/gpt-4o","usage":{"input_tokens":28000,"output_tokens":5000}}"# + "\n"

    func entries(_ ledger: URL) throws -> [JSONObject] {
        try String(contentsOf: ledger, encoding: .utf8).split(separator: "\n").map { try #require(JSONParser.parse(String($0)).objectValue) }
    }

    @Test func theBudgetAppliesToTheLedgersMonth() throws {
        let ledger = Paths.temporaryDirectory().appendingPathComponent("spend.jsonl")
        // Spent long ago: outside this month, inside the whole ledger.
        let old = Int(Date().timeIntervalSince1970) - 62 * 86400
        try #"{"created":\#(old),"usd":100,"requests":1}"#.appending("\n").write(to: ledger, atomically: true, encoding: .utf8)
        let arguments = ["--ledger", ledger.path, "--period", "month", "--budget", "0.2"]

        let first = try run("llm-cost", arguments, stdin: Self.twelveCents)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lastRecord?["ledger"]?["usd"] == 0.12)
        let second = try run("llm-cost", arguments, stdin: Self.twelveCents)
        #expect(second.status == 1)
        #expect(second.stderr.contains("over budget by $0.0400"), "\(second.stderr)")
        #expect(second.stderr.contains("this month"))
        // A run that spends nothing checks the ledger and adds no entry: the cron job's guard.
        let check = try run("llm-cost", arguments, stdin: "")
        #expect(check.status == 1)
        let lines = try entries(ledger)
        #expect(lines.count == 3)
        #expect(lines.last?["usd"] == 0.12 && lines.last?["requests"] == 1)

        let whole = try run("llm-cost", ["--ledger", ledger.path, "--budget", "1000"], stdin: "")
        #expect(whole.status == 0)
        #expect(abs((whole.lastRecord?["ledger"]?["usd"]?.doubleValue ?? 0) - 100.24) < 1e-9)
        let exactly = try run("llm-cost", ["--ledger", ledger.path, "--period", "day", "--budget", "0.24"], stdin: "")
        #expect(exactly.status == 0, "exactly at the budget is not over it")
    }

    /// Eight jobs at once, each spending $0.12 under a $0.50 budget, while another writer
    /// holds the ledger and enters $0.26: each job waits for the lock and sees every entry
    /// before it, so exactly two fit ($0.38, $0.50), and every entry is there once. Unlocked,
    /// the jobs would read the ledger before the $0.26 and all pass.
    @Test func concurrentWritersNeitherLoseNorDoubleAnEntry() throws {
        let dir = Paths.temporaryDirectory()
        let ledger = dir.appendingPathComponent("spend.jsonl"), input = dir.appendingPathComponent("in.jsonl")
        try Self.twelveCents.write(to: input, atomically: true, encoding: .utf8)
        let held = open(ledger.path, O_RDWR | O_CREAT | O_APPEND, 0o644)
        #expect(held >= 0 && flock(held, LOCK_EX) == 0)
        let runs = try (1...8).map { _ in
            let process = Process()
            process.executableURL = Paths.binary("llm-cost")
            process.arguments = ["--ledger", ledger.path, "--period", "month", "--budget", "0.5"]
            process.standardInput = try FileHandle(forReadingFrom: input)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            return process
        }
        for process in runs { try process.run() }
        Thread.sleep(forTimeInterval: 1.5)
        let entry = Array(#"{"created":\#(Int(Date().timeIntervalSince1970)),"usd":0.26,"requests":2}"#.utf8) + [0x0A]
        #expect(write(held, entry, entry.count) == entry.count)
        flock(held, LOCK_UN)
        close(held)
        let statuses = runs.map { $0.waitUntilExit(); return $0.terminationStatus }.sorted()
        #expect(statuses == [0, 0, 1, 1, 1, 1, 1, 1])
        let lines = try entries(ledger)
        #expect(lines.count == 9)
        #expect(abs(lines.compactMap { $0["usd"]?.doubleValue }.reduce(0, +) - 1.22) < 1e-9)
    }

    @Test func aBrokenLedgerIsNamedNotSilentlyRestarted() throws {
        let ledger = Paths.temporaryDirectory().appendingPathComponent("spend.jsonl")
        try "{\"created\":1,\"usd\":1}\nnot json\n".write(to: ledger, atomically: true, encoding: .utf8)
        let result = try run("llm-cost", ["--ledger", ledger.path, "--budget", "5"], stdin: Self.twelveCents)
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(ledger.path) line 2"), "\(result.stderr)")
        #expect(try String(contentsOf: ledger, encoding: .utf8).split(separator: "\n").count == 2, "nothing appended to a ledger it cannot read")
    }

    /// From an adversarial pass: what a hostile price file, a crash or an unknown model
    /// must not do to a budget.
    @Test func aBudgetCannotBeDefeatedByUnpricedModelsOrBadPrices() throws {
        let dir = Paths.temporaryDirectory()
        let unknown = #"{"role":"assistant","model":"openai/gpt-9-ultra","usage":{"input_tokens":1000000,"output_tokens":100000}}"# + "\n"
        let unpriced = try run("llm-cost", ["--budget", "0"], stdin: unknown)
        #expect(unpriced.status == 1 && unpriced.stderr.contains("cannot check the budget"), "\(unpriced.stderr)")

        let prices = dir.appendingPathComponent("bad.json")
        try #"{"neg-model":{"input_cost_per_token":-0.01,"output_cost_per_token":-0.01},"inf-model":{"input_cost_per_token":1e400,"output_cost_per_token":1}}"#
            .write(to: prices, atomically: true, encoding: .utf8)
        for model in ["x/neg-model", "x/inf-model"] {
            let ledger = dir.appendingPathComponent("\(model.dropFirst(2)).jsonl")
            let line = #"{"role":"assistant","model":"\#(model)","usage":{"input_tokens":1000,"output_tokens":100}}"# + "\n"
            let result = try run("llm-cost", ["--prices", prices.path, "--ledger", ledger.path, "--budget", "1"], stdin: line)
            #expect(result.status == 1, "\(model): a price that is negative or not finite is no price: \(result.stdout)")
            let after = try run("llm-cost", ["--ledger", ledger.path], stdin: "")
            #expect(after.status == 0, "\(model): the ledger still reads: \(after.stderr)")
        }
        let forged = dir.appendingPathComponent("forged.jsonl")
        try #"{"created":1,"usd":-1000,"requests":1}"#.appending("\n").write(to: forged, atomically: true, encoding: .utf8)
        #expect(try run("llm-cost", ["--ledger", forged.path, "--budget", "1"], stdin: "").status == 65, "a negative entry is not spend")

        let huge = #"{"role":"assistant","model":"anthropic/claude-sonnet-4-5","usage":{"input_tokens":0,"cache_read_tokens":9223372036854775807,"cache_write_tokens":9223372036854775807}}"# + "\n"
        let overflow = try run("llm-cost", [], stdin: huge)
        #expect(overflow.status == 0 || overflow.status == 65, "no trap: \(overflow.status)")
    }

    /// A crash mid-write leaves a last line with no newline: it is passed over, and the
    /// next entry starts on a line of its own.
    @Test func aLastLineCutShortIsPassedOver() throws {
        let ledger = Paths.temporaryDirectory().appendingPathComponent("spend.jsonl")
        try "{\"created\":1750000000,\"usd\":0.5,\"requests\":1}\n{\"created\":17500".write(to: ledger, atomically: true, encoding: .utf8)
        let result = try run("llm-cost", ["--ledger", ledger.path], stdin: Self.twelveCents)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("cut short"))
        let again = try run("llm-cost", ["--ledger", ledger.path, "--budget", "0.62"], stdin: "")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(abs((again.lastRecord?["ledger"]?["usd"]?.doubleValue ?? 0) - 0.62) < 1e-9)
    }
}
