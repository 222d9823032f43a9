import Foundation

/// The forms `llm-probe` writes its results in: JSON Lines, a table for a person, the
/// Prometheus text format (for node_exporter's textfile collector), and a Nagios plugin's
/// status line.
public enum ProbeReport {
    /// A table: one line a target.
    public static func table(_ results: [ProbeRun.Result]) -> String {
        var rows = [["TARGET", "STATUS", "SERVER", "VERSION", "LATENCY", "MODELS", "NOTE"]]
        for r in results {
            let h = r.health
            let loaded = h.models.filter { $0.loaded == true }.count
            let models = h.models.isEmpty ? "-" : "\(h.models.count)" + (loaded > 0 ? " (\(loaded) loaded)" : "")
            var note = h.error ?? ""
            if let advice = h.advice { note += (note.isEmpty ? "" : "; ") + advice }
            if let model = r.model, let available = r.modelAvailable { note = "\(model): \(available ? "available" : "missing")" + (note.isEmpty ? "" : "; " + note) }
            // Every cell a server could have written is shown escaped, not obeyed.
            rows.append([h.target, h.status.rawValue, h.server ?? "-", h.version ?? "-", h.latencyMs.map { String(format: "%.1f ms", $0) } ?? "-", models, note]
                .map { TerminalText.escaped($0) })
        }
        return TextTable.render(rows)
    }

    /// Benchmarks as a table, with the settings every server got.
    public static func table(_ benchmarks: [Benchmark.Result]) -> String {
        guard let settings = benchmarks.first?.settings else { return "" }
        func cell(_ stats: Benchmark.Stats?, _ unit: String) -> String {
            stats.map { String(format: "%.1f%@ (%.1f-%.1f, p95 %.1f)", $0.median, unit, $0.min, $0.max, $0.p95) } ?? "-"
        }
        var rows = [["MODEL", "TTFT", "TOKENS/S (CLIENT)", "TOKENS/S (SERVER)", "PROMPT TOKENS/S", "AGGREGATE"]]
        for b in benchmarks {
            rows.append([b.model, cell(b.ttftMs, " ms"), cell(b.tokensPerSecond, ""), cell(b.serverTokensPerSecond, ""), cell(b.promptTokensPerSecond, ""),
                         b.aggregateTokensPerSecond.map { String(format: "%.1f", $0) } ?? "-"].map { TerminalText.escaped($0) })
        }
        return TextTable.render(rows) + "medians (min-max, p95) of \(settings.runs) runs after a warm-up; prompt \(settings.promptWords) words, "
            + "at most \(settings.maxTokens) tokens, temperature 0, seed 1, \(settings.concurrency) at once\n"
            + "prompt: \(settings.prompt.prefix(72))…\n"
            + benchmarks.flatMap(\.failures).map { "error: \(TerminalText.escaped($0))\n" }.joined()
    }

    /// Prometheus text exposition format 0.0.4.
    public static func prometheus(_ results: [ProbeRun.Result], _ benchmarks: [Benchmark.Result] = []) -> String {
        var out = ""
        func family(_ name: String, _ help: String, _ value: (ProbeRun.Result) -> Double?) {
            let samples = results.compactMap { r in value(r).map { (r, $0) } }
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (r, v) in samples { out += "\(name){\(labels(r))} \(number(v))\n" }
        }
        family("llmkit_probe_up", "1 when the server answers and is ready, else 0.") { $0.health.status == .up ? 1 : 0 }
        family("llmkit_probe_loading", "1 while the server is loading its model.") { $0.health.status == .loading ? 1 : 0 }
        family("llmkit_probe_latency_seconds", "Time the server took to answer the probe.") { $0.health.latencyMs.map { $0 / 1000 } }
        family("llmkit_probe_models", "Models the server serves.") { $0.health.status == .down ? nil : Double($0.health.models.count) }
        family("llmkit_probe_models_loaded", "Models the server has in memory, where it says.") { r in
            r.health.models.contains { $0.loaded != nil } ? Double(r.health.models.filter { $0.loaded == true }.count) : nil
        }
        family("llmkit_probe_model_available", "1 when the model asked for is served.") { r in r.modelAvailable.map { $0 ? 1 : 0 } }
        func benchFamily(_ name: String, _ help: String, _ value: (Benchmark.Result) -> Double?) {
            let samples = benchmarks.compactMap { b in value(b).map { (b, $0) } }
            guard !samples.isEmpty else { return }
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for (b, v) in samples { out += "\(name){model=\"\(escape(b.model))\"} \(number(v))\n" }
        }
        benchFamily("llmkit_bench_ttft_seconds", "Median time to first token.") { $0.ttftMs.map { $0.median / 1000 } }
        benchFamily("llmkit_bench_tokens_per_second", "Median generation speed, measured by llmkit.") { $0.tokensPerSecond?.median }
        benchFamily("llmkit_bench_server_tokens_per_second", "Median generation speed, as the server measured it.") { $0.serverTokensPerSecond?.median }
        return out
    }

    private static func labels(_ r: ProbeRun.Result) -> String {
        var pairs = [("target", r.health.target), ("server", r.health.server ?? "unknown")]
        if let model = r.model { pairs.append(("model", model)) }
        return pairs.map { "\($0)=\"\(escape($1))\"" }.joined(separator: ",")
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// Nagios plugin output: `LLM OK - text | perfdata`, and its exit code: 0 OK, 1
    /// WARNING (a server still loading), 2 CRITICAL (one down, or its model missing).
    public static func nagios(_ results: [ProbeRun.Result]) -> (line: String, code: Int32) {
        let down = results.filter { $0.health.status == .down || $0.modelAvailable == false }
        let loading = results.filter { $0.health.status == .loading }
        let code: Int32 = !down.isEmpty ? 2 : !loading.isEmpty ? 1 : 0
        let state = ["OK", "WARNING", "CRITICAL"][Int(code)]
        var text = "\(results.count - down.count - loading.count) of \(results.count) up"
        if let first = down.first { text += "; \(first.health.target) " + (first.modelAvailable == false ? "lacks \(first.model ?? "the model")" : "down") }
        if let first = loading.first { text += "; \(first.health.target) loading" }
        var perf: [String] = []
        for r in results {
            let name = perfLabel(r.model ?? r.health.target)
            if let ms = r.health.latencyMs { perf.append("'\(name)_latency'=\(String(format: "%.3f", ms / 1000))s;;;0") }
            perf.append("'\(name)_up'=\(r.healthy ? 1 : 0);;;0;1")
        }
        return ("LLM \(state) - \(TerminalText.escaped(text))" + (perf.isEmpty ? "" : " | " + perf.joined(separator: " ")), code)
    }

    /// A perfdata label may not hold `'` or `=`.
    private static func perfLabel(_ text: String) -> String {
        String(text.map { $0 == "'" || $0 == "=" || $0.isWhitespace ? "_" : $0 })
    }
}
