extension CompleteTool {
    /// `llm-stream`: pieces go out as they arrive (delta records, or bare text with `-t`),
    /// then the whole message. However the stream ends — error, dropped connection, stall,
    /// Ctrl-C — the text received so far is written as the message, never lost.
    func streamReply(_ plan: RoutePlan) async -> ExitStatus {
        let request = plan.primary.request
        let output = self.output
        let text = settings.textOutput
        let show = settings.show
        let collector = StreamCollector(joinsPieces: text) { deltas in
            var bytes: [UInt8] = []
            var shown = ""
            for delta in deltas {
                if case .content(let piece) = delta {
                    if show { shown += piece }
                    if text { bytes.appendUTF8(of: piece) }
                }
                if !text {
                    delta.record.write(to: &bytes)
                    bytes.append(0x0A)
                }
            }
            if !shown.isEmpty { StandardError.write(shown) }
            try? output.writeBytes(bytes)
            return !output.closed
        }
        let inFlight = self.inFlight
        let log = self.log
        let outcome = await completer.stream(plan, into: collector, onCandidate: { model in
            inFlight.streaming(into: collector, label: model.description)
        }, onRestart: { error in
            // `--retry-partial`: what was written is to be discarded, and the output says so.
            log.note("\(error.message); starting the reply over (--retry-partial)")
            var record = error.record.removing(["retryable"])
            record["type"] = "restart"
            try? output.write(record)
        })
        collector.finishForwarding()
        if show, collector.receivedAnything { StandardError.write("\n") }
        if output.closed { return .success }  // the reader left: nothing more to say
        do throws(LLMError) {
            if text {
                if collector.receivedAnything, !(outcome.message.text ?? "").hasSuffix("\n") { try output.writeText("\n") }
            } else if outcome.error == nil || collector.receivedAnything {
                // Nothing came: an empty reply would read as the model's answer downstream.
                try output.write(outcome.message.record)
            }
            if let error = outcome.error { throw error }
            if let schema = request.options.schema { try Self.check(outcome.message, against: schema) }
            return .success
        } catch {
            return fail(error, writeRecord: true)
        }
    }
}
