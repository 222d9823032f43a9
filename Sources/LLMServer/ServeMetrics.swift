import LLMKit
import Prometheus

/// `/metrics`, in Prometheus's text format.
public final class ServeMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let inFlight: Gauge
    static let buckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300].map { .milliseconds(Int64($0 * 1000)) }

    public init() {
        inFlight = registry.makeGauge(descriptor: Self.name("requests", "in_flight", "Chat requests being answered now."))
    }

    func started() { inFlight.increment() }

    /// One finished request. Labels are agents the file defines, never what a client wrote,
    /// so a client cannot grow the set of series.
    func finished(agent: String?, status: Int, duration: Duration, usage: Usage?) {
        inFlight.decrement()
        let agent = agent ?? "-"
        registry.makeCounter(descriptor: Self.name("requests", "total", "Chat requests answered, by agent and HTTP status."),
                             labels: [("agent", agent), ("status", String(status))]).increment()
        if status >= 400 {
            registry.makeCounter(descriptor: Self.name("errors", "total", "Chat requests that failed."), labels: [("agent", agent)]).increment()
        }
        registry.makeDurationHistogram(descriptor: Self.name("request_duration", "seconds", "Time from request to the last byte of the reply."),
                                       labels: [("agent", agent)], buckets: Self.buckets).record(duration)
        if let usage {
            let tokens = [("prompt", usage.inputTokens), ("completion", usage.outputTokens)]
            for (kind, count) in tokens {
                guard let count, count > 0 else { continue }
                registry.makeCounter(descriptor: Self.name("tokens", "total", "Tokens the agents' models reported."),
                                     labels: [("agent", agent), ("kind", kind)]).increment(by: Int64(count))
            }
        }
    }

    public func text() -> [UInt8] { registry.emitToBuffer() }

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "llmserve", metricName: metric, unitName: unit, helpText: help)
    }
}
