/// Batch mode: every request line is an independent job; results come out in input order.
///
/// At most `jobs` requests run at once, and at most `4 × jobs` lines are held between the
/// oldest unwritten result and the newest started job, so memory stays flat however long
/// the input and one slow request cannot make the rest pile up.
struct BatchRun {
    let tool: CompleteTool

    private enum Output: Sendable {
        case passThrough([UInt8])
        case result(JSONObject, text: String?, failure: LLMError?)
    }

    private struct Job: Sendable {
        var index: Int
        var line: InputLine
        var request: BatchRequest
        var streamOptions: RequestOptions
        var streamTools: [ToolDefinition]
    }

    func run(first: InputLine, source: inout InputSource) async -> ExitStatus {
        let jobs = max(1, tool.settings.jobs)
        let window = jobs * 4
        var input = BatchInput(first: first)
        var inputDone = false
        var inputError: LLMError?
        var firstFailure: ExitStatus?
        var outputs: [Int: Output] = [:]
        var nextIndex = 0
        var nextToWrite = 0
        var running = 0

        // With -j above 1, requests are handled on the runtime's pool, so replies are parsed
        // on every core; one at a time, they stay on the command's thread.
        let executor: (any TaskExecutor)? = jobs > 1 ? globalConcurrentExecutor : nil
        await withTaskGroup(of: (Int, Output).self) { group in
            while true {
                while !inputDone, inputError == nil, running < jobs, nextIndex - nextToWrite < window {
                    let item: BatchInput.Item
                    do throws(LLMError) {
                        guard let next = try input.next(from: &source) else {
                            inputDone = true
                            break
                        }
                        item = next
                    } catch {
                        inputError = error
                        break
                    }
                    switch item {
                    case .request(let line, let request, let options, let tools):
                        let job = Job(index: nextIndex, line: line, request: request, streamOptions: options, streamTools: tools)
                        group.addTask(executorPreference: executor) { (job.index, await self.perform(job)) }
                        running += 1
                    case .passThrough(let line):
                        outputs[nextIndex] = .passThrough(line.raw)
                    case .unreadable(let error):
                        outputs[nextIndex] = failed(error, ["id": .null], label: nil)
                    }
                    nextIndex += 1
                }
                while let output = outputs.removeValue(forKey: nextToWrite) {
                    if let failure = write(output), firstFailure == nil { firstFailure = failure }
                    nextToWrite += 1
                }
                if running == 0 {
                    // Nothing in flight means every output so far was just written.
                    if inputDone || inputError != nil { break }
                    continue
                }
                if let (index, output) = await group.next() {
                    outputs[index] = output
                    running -= 1
                }
            }
        }
        // Every result before the failure is written by now: the error record ends them.
        if let inputError { return tool.fail(inputError, writeRecord: true) }
        return firstFailure ?? .success
    }

    private func write(_ output: Output) -> ExitStatus? {
        do throws(LLMError) {
            switch output {
            case .passThrough(let raw):
                if !tool.settings.textOutput { try tool.output.writeLine(raw) }
                return nil
            case .result(let object, let text, let failure):
                if tool.settings.textOutput {
                    if let text { try tool.output.writeText(text) }
                } else {
                    try tool.output.write(object)
                }
                return failure?.exitStatus
            }
        } catch {
            tool.log.error(error)
            return error.exitStatus
        }
    }

    private func perform(_ job: Job) async -> Output {
        var result = JSONObject()
        result[job.request.idKey] = job.request.id ?? .null
        let label = job.request.id.map { $0.stringValue ?? $0.serialized } ?? "on line \(job.line.number)"
        do throws(LLMError) {
            let plan = try tool.plan(job.request, streamOptions: job.streamOptions, streamTools: job.streamTools)
            let request = plan.primary.request
            if tool.settings.dryRun {
                let provider = try plan.primary.provider()
                var record = try tool.completer.dryRunRecord(request, provider: provider)
                record[job.request.idKey] = job.request.id ?? .null
                return .result(record, text: nil, failure: nil)
            }
            let reply = try await tool.completer.complete(plan)
            result["message"] = .object(reply.record)
            if let schema = request.options.schema {
                do throws(LLMError) {
                    try CompleteTool.check(reply, against: schema)
                } catch {
                    return failed(error, result, label: label)
                }
            }
            return .result(result, text: CompleteTool.textLine(reply), failure: nil)
        } catch {
            return failed(error, result, label: label)
        }
    }

    private func failed(_ error: LLMError, _ partial: JSONObject, label: String?) -> Output {
        var result = partial
        result["error"] = .object(error.record.removing(["type"]))
        tool.log.note(label.map { "request \($0): \(error.message)" } ?? error.message)
        return .result(result, text: nil, failure: error)
    }
}
