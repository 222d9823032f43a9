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
}
