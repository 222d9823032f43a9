import Foundation

/// An agent answered through LLMKit in this process: a model with the agent's system
/// prompt, its own tools run here (confined as `llm-tools` confines them), or the client's
/// tools passed through to the model and its calls back to the client.
public struct InProcessAgent: Sendable {
    public var completer: Completer
    public var definition: AgentDefinition

    public init(completer: Completer, definition: AgentDefinition) {
        self.completer = completer
        self.definition = definition
    }

    /// `model` overrides the agent's (its `tasks` model); `workdir` confines its tools.
    public func answer(_ request: ServedRequest, model: String? = nil, workdir: String?, stream: Bool,
                       emit: @escaping @Sendable (AgentEvent) -> Void) async -> AgentAnswer {
        var completer = self.completer
        // The agent's model and prompt are the server's choice; the body only tunes them.
        if case .model(let own) = definition.answerer { completer.flags.model = model ?? own } else { completer.flags.model = model }
        completer.flags.system = nil
        var messages = model == nil ? definition.conversation(request.messages) : request.messages
        let ownTools = model == nil ? definition.tools : nil
        let tools = ownTools?.localDefinitions ?? (definition.passthrough ? request.tools : [])
        let executor: ToolExecutor?
        do {
            executor = try ownTools.map { file in
                var settings = ToolExecutor.Settings(root: workdir ?? file.root ?? FileManager.default.currentDirectoryPath)
                settings.allowWrite = file.allowWrite
                return try ToolExecutor(file: file, settings: settings)
            }
        } catch {
            return AgentAnswer(error: LLMError(.configuration, "agent \(definition.name): its tools cannot run: \(error)"))
        }
        var answer = AgentAnswer()
        var needsBreak = false
        for turn in 1...max(1, definition.maxTurns) {
            let plan: RoutePlan
            do throws(LLMError) {
                plan = try completer.plan(messages: messages, tools: tools, inStream: request.options)
            } catch {
                answer.error = error
                return answer
            }
            var reply: ChatMessage
            if stream {
                let breakFirst = needsBreak
                let collector = StreamCollector { deltas in
                    var first = breakFirst
                    for delta in deltas {
                        switch delta {
                        case .content(let text):
                            if first { emit(.text("\n\n")); first = false }
                            emit(.text(text))
                        case .reasoning(let text): emit(.reasoning(text))
                        case .toolCall: break
                        }
                    }
                    return true
                }
                let outcome = await completer.stream(plan, into: collector)
                collector.finishForwarding()
                reply = outcome.message
                answer.replyStreamed = collector.receivedAnything
                if let error = outcome.error {
                    answer.reply = reply
                    answer.error = error
                    return answer
                }
            } else {
                do throws(LLMError) {
                    reply = try await completer.complete(plan)
                } catch {
                    answer.error = error
                    return answer
                }
            }
            if let usage = reply.usage { answer.usage = answer.usage.map { $0.adding(usage) } ?? usage }
            answer.reply = reply
            guard let executor, !reply.toolCalls.isEmpty else { return answer }
            // The agent's own tools: run, shown as steps if asked, and the model asked again.
            guard turn < definition.maxTurns else {
                answer.error = LLMError(.internalError, "agent \(definition.name) stopped after \(definition.maxTurns) model turn(s): "
                                        + "the model still asks for tools (raise max_turns)")
                return answer
            }
            if definition.showSteps {
                for call in reply.toolCalls { emit(AgentTranscript.step(call: call)) }
            }
            let results = await ToolsRun(executor: executor, jobs: 4, log: completer.log).execute(reply.toolCalls)
            if definition.showSteps {
                for result in results { emit(AgentTranscript.step(result: result)) }
            }
            needsBreak = answer.replyStreamed
            messages.append(reply)
            messages.append(contentsOf: results)
            answer.reply = nil
        }
        return answer
    }
}
