import AsyncAlgorithms
import LLMKit
import Synchronization

/// One agent's work for one request, started at once: its events come through `items` in
/// order, then its answer. It ends by itself, by `cancel()` (the client left), or at its
/// deadline, after which its answer is a timeout whatever the agent managed.
final class AgentRun: Sendable {
    typealias Runner = @Sendable (@escaping @Sendable (AgentEvent) async -> Void) async -> AgentAnswer

    enum Item: Sendable {
        case event(AgentEvent)
        case done(AgentAnswer)
    }

    let items = AsyncChannel<Item>()
    private let task: Task<Void, Never>
    private let watchdog: Task<Void, Never>
    private let timedOut = Flag()
    private let timeoutError: LLMError

    init(runner: @escaping Runner, timeout seconds: Double, agent: String) {
        let items = self.items
        let task = Task {
            let answer = await runner { event in await items.send(.event(event)) }
            await items.send(.done(answer))
            items.finish()
        }
        let timedOut = self.timedOut
        self.task = task
        timeoutError = LLMError(.timeout, "agent \(agent) took longer than \(Self.seconds(seconds)) s (timeout)")
        watchdog = Task { [timedOut] in
            guard (try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))) != nil else { return }
            timedOut.value.store(true, ordering: .relaxed)
            task.cancel()
        }
    }

    func cancel() { task.cancel() }

    /// The answer as the client is to get it: a timeout, if the deadline ended the run.
    func ending(_ answer: AgentAnswer) -> AgentAnswer {
        watchdog.cancel()
        var answer = answer
        if timedOut.value.load(ordering: .relaxed) { answer.error = timeoutError }
        return answer
    }

    /// Every event to `each`, in order, then the answer.
    func collect(_ each: (AgentEvent) -> Void) async -> AgentAnswer {
        var answer = AgentAnswer(error: LLMError(.interrupted, "the agent was stopped"))
        await withTaskCancellationHandler {
            for await item in items {
                switch item {
                case .event(let event): each(event)
                case .done(let done): answer = done
                }
            }
        } onCancel: { self.cancel() }
        return ending(answer)
    }

    /// Set once the deadline has passed; read by whoever ends the run.
    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
