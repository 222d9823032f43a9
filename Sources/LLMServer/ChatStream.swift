import HTTPTypes
import Hummingbird
import LLMKit
import NIOCore

extension ChatService {
    /// `"stream": true`. The status waits for the first thing the agent says, so that an
    /// agent that fails at once gets its own status, not a 200 and an error event.
    func answerStreamed(_ job: Job, run: AgentRun, record: RequestRecord,
                        holding: @escaping @Sendable () -> Void) async throws -> Response {
        var iterator = run.items.makeAsyncIterator()
        let first = await withTaskCancellationHandler { await iterator.next() } onCancel: { run.cancel() }
        if case .done(let done)? = first {
            let answer = run.ending(done)
            if let error = answer.error {
                record.update { $0.usage = answer.usage }
                throw ClientError.agentFailed(error, agent: job.agent.name)
            }
        }
        record.update { $0.status = 200 }
        let stream = StreamedReply(job: job, run: run, record: record, logContent: settings.logContent)
        let body = ResponseBody { writer in
            do {
                try await stream.write(first: first, to: &writer)
            } catch {
                // The client is gone: its agent goes too.
                run.cancel()
                record.failed(.clientGone)
            }
            // The slot is given back when the stream ends, or when its body is dropped unwritten.
            holding()
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// One reply as `chat.completion.chunk` events: the role, each piece as the agent says it,
/// then the end — the reply's calls and finish reason, the usage if asked and known, or an
/// error event — and `[DONE]`.
struct StreamedReply: Sendable {
    let job: ChatService.Job
    let run: AgentRun
    let record: RequestRecord
    let logContent: Bool

    func write(first: AgentRun.Item?, to writer: inout any ResponseBodyWriter) async throws {
        let encoder = ChatCompletionEncoder(model: job.agent.name)
        try await writer.write(ByteBuffer(bytes: ChatCompletionEncoder.event(encoder.roleChunk())))
        var answer = AgentAnswer()
        var shown = ""
        var next = first
        var rest = run.items.makeAsyncIterator()
        while let item = next {
            switch item {
            case .event(let event):
                let chunk: JSONObject
                switch event {
                case .text(let text), .step(let text):
                    if logContent { shown += text }
                    chunk = encoder.contentChunk(text)
                case .reasoning(let text): chunk = encoder.reasoningChunk(text)
                }
                try await writer.write(ByteBuffer(bytes: ChatCompletionEncoder.event(chunk)))
            case .done(let done):
                answer = done
            }
            next = await rest.next()
        }
        answer = run.ending(answer)
        let tail = ending(answer, encoder: encoder, shown: &shown)
        let usage = answer.usage
        record.update {
            $0.usage = usage
            if logContent { $0.reply = shown }
        }
        try await writer.write(ByteBuffer(bytes: tail))
        try await writer.finish(nil)
    }

    /// The events after the last piece.
    private func ending(_ answer: AgentAnswer, encoder: ChatCompletionEncoder, shown: inout String) -> [UInt8] {
        var tail: [UInt8] = []
        if let error = answer.error {
            // Mid-stream: an error event the SDKs raise, then the end.
            let failure = ClientError.agentFailed(error, agent: job.agent.name)
            record.failed(failure)
            tail += failure.event
        } else {
            let reply = answer.reply ?? ChatMessage(role: "assistant", content: nil)
            if !answer.replyStreamed, let text = reply.text, !text.isEmpty {
                if logContent { shown += text }
                tail += ChatCompletionEncoder.event(encoder.contentChunk(text))
            }
            if !reply.toolCalls.isEmpty { tail += ChatCompletionEncoder.event(encoder.toolCallsChunk(reply.toolCalls)) }
            tail += ChatCompletionEncoder.event(encoder.finishChunk(ChatCompletionEncoder.finishReason(reply)))
            if job.served.includeUsage, let chunk = encoder.usageChunk(answer.usage) { tail += ChatCompletionEncoder.event(chunk) }
        }
        return tail + ChatCompletionEncoder.done
    }
}
