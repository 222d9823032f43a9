import Synchronization

/// What a run would write if it were stopped now. The library installs no signal handler
/// (a server embedding it must keep its own); the executable, on a signal, asks this for
/// its last words, writes them and exits.
public final class InFlight: Sendable {
    private struct Stream {
        var collector: StreamCollector
        var label: String
    }
    private let stream = Mutex<Stream?>(nil)
    /// A submitted provider batch being waited for: stopped, the run writes its record.
    private let job = Mutex<JSONObject?>(nil)

    public init() {}

    func streaming(into collector: StreamCollector, label: String) {
        stream.withLock { $0 = Stream(collector: collector, label: label) }
    }

    func waiting(on job: JSONObject) {
        self.job.withLock { $0 = job }
    }

    /// The records to write (the reply so far, then the error) and the error to report.
    public func lastWords(textOutput: Bool) -> (records: [JSONObject], error: LLMError) {
        if let job = job.withLock({ $0 }) {
            let error = LLMError(.interrupted, "interrupted while waiting for batch \(job["id"]?.stringValue ?? ""); it runs on: collect it with --resume FILE, FILE holding the batch_job record written to stdout")
            return ([job, error.record], error)
        }
        // Nothing of the reply yet: no empty message, which would read as the model's answer.
        guard let current = stream.withLock({ $0 }), current.collector.receivedAnything else {
            let error = LLMError(.interrupted, "interrupted before the reply arrived")
            return (textOutput ? [] : [error.record], error)
        }
        var partial = current.collector.message(summary: StreamSummary(), finishReason: "interrupted")
        partial.model = current.label
        let error = LLMError(.interrupted, "interrupted; the reply so far was kept", model: current.label)
        return (textOutput ? [] : [partial.record, error.record], error)
    }
}
