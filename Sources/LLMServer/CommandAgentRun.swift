#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LLMKit
import NIOCore
import NIOPosix

/// One request answered by a command agent: the request goes in on stdin as records, and
/// its stdout is read record by record as it comes. The command runs in a process group
/// of its own; cancelling the run (client gone, timeout, shutdown) kills the group at once.
struct CommandAgentRun: Sendable {
    let agent: AgentDefinition
    let argv: [String]
    let environment: [String: String]
    let directory: String?
    /// `tools`, `options` and message records.
    let input: [UInt8]
    /// The messages sent: the command's copy of them is passed over.
    let messages: [ChatMessage]

    static let lineLimit = 16 << 20

    /// The records a command gets for `request`: the client's tools only when the agent
    /// asks for them, then the settings, then the conversation.
    static func input(for request: ServedRequest, agent: AgentDefinition) -> (bytes: [UInt8], messages: [ChatMessage]) {
        var bytes: [UInt8] = []
        func line(_ object: JSONObject) {
            object.write(to: &bytes)
            bytes.append(0x0A)
        }
        if agent.clientTools, !request.tools.isEmpty { line(ToolDefinition.record(request.tools)) }
        if !request.optionsRecord.isEmpty {
            var options = request.optionsRecord
            options["type"] = "options"
            line(options)
        }
        let messages = agent.conversation(request.messages)
        for message in messages { line(message.wireObject) }
        return (bytes, messages)
    }

    func run(emit: @escaping @Sendable (AgentEvent) async -> Void) async -> AgentAnswer {
        let session: ChildProcess.Session
        do {
            session = try ChildProcess.start(argv, environment: environment, directory: directory)
        } catch {
            return AgentAnswer(error: LLMError(.configuration, "agent \(agent.name): \(error.message)"))
        }
        Self.relay(errors: session.errors, agent: agent.name)
        var transcript = AgentTranscript(input: messages, showSteps: agent.showSteps)
        var failure: LLMError?
        let pid = session.pid
        do {
            let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.allowRemoteHalfClosure, value: true)
                .takingOwnershipOfDescriptors(input: session.output, output: session.input) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(limit: Self.lineLimit)))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
            let input = self.input
            let start = transcript
            transcript = try await withTaskCancellationHandler {
                try await channel.executeThenClose { inbound, outbound in
                    var transcript = start
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        // Written beside the reading: a command that answers before it has read
                        // all its input must not stall against us.
                        group.addTask {
                            try? await outbound.write(ByteBuffer(bytes: input))
                            outbound.finish()
                        }
                        // A command that exits but leaves a daemon holding its stdout is done:
                        // what it wrote is read for a moment longer, then the pipe is closed.
                        group.addTask {
                            while session.ending == nil { try await Task.sleep(for: .milliseconds(10)) }
                            try await Task.sleep(for: .milliseconds(200))
                            try? await channel.channel.close()
                        }
                        do {
                            for try await line in inbound {
                                for event in try transcript.read(line.readableBytesView) { await emit(event) }
                            }
                        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .alreadyClosed {
                            // Closed above, after the command exited.
                        }
                        group.cancelAll()
                        try? await group.waitForAll()
                    }
                    return transcript
                }
            } onCancel: {
                kill(-pid, SIGKILL)
            }
        } catch let error as LLMError {
            // The transcript's and the line decoder's errors say what the command did.
            failure = LLMError(error.kind, "agent \(agent.name) \(error.message)")
        } catch {
            failure = LLMError(.invalidReply, "agent \(agent.name): its output could not be read: \(error)")
        }
        let ending = await Self.finish(session)
        if Task.isCancelled { return AgentAnswer(error: LLMError(.interrupted, "agent \(agent.name) was stopped")) }
        if failure == nil, var error = transcript.error {
            error.message = "agent \(agent.name): \(error.message)"
            failure = error
        }
        if failure == nil, let ending, ending.exitStatus != 0 {
            let how = ending.exitStatus.map { "exit status \($0)" } ?? "signal \(ending.signal ?? 0)"
            failure = LLMError(.serverError, "agent \(agent.name) failed (\(how)); llm-serve's log has what it said")
        }
        if failure == nil, transcript.finalReply == nil {
            failure = LLMError(.invalidReply, "agent \(agent.name) ended without a reply (its last record is not an assistant message)")
        }
        return AgentAnswer(reply: transcript.finalReply ?? transcript.reply, replyStreamed: transcript.replyStreamed,
                           usage: transcript.usage, error: failure)
    }

    /// Waits a moment for the command to exit once its output has ended (how it exited, if
    /// it did), then ends its group and everything it left behind. The end — a walk of the
    /// process table and reaping — happens off the reply's path, after the exit is known.
    private static func finish(_ session: ChildProcess.Session) async -> (exitStatus: Int32?, signal: Int32?)? {
        var ending = session.ending
        let deadline = ContinuousClock.now + .seconds(2)
        var pause = Duration.microseconds(100)
        while ending == nil, !Task.isCancelled, ContinuousClock.now < deadline {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(5))
            ending = session.ending
        }
        Thread.detachNewThread {
            session.end()
            ProcessTree.reapOrphans()
        }
        return ending
    }

    /// The command's stderr goes to the server's, a line at a time, named and redacted.
    private static func relay(errors fd: Int32, agent: String) {
        Thread.detachNewThread {
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            func say(_ line: ArraySlice<UInt8>) {
                guard !line.isEmpty else { return }
                StandardError.write("llm-serve: agent \(agent): " + Redactor.redact(String(decoding: line.prefix(2000), as: UTF8.self)) + "\n")
            }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                pending.append(contentsOf: buffer[..<n])
                while let end = pending.firstIndex(of: 0x0A) {
                    say(pending[..<end])
                    pending.removeSubrange(...end)
                }
                if pending.count > 2000 {
                    say(pending[...])
                    pending.removeAll()
                }
            }
            say(pending[...])
            close(fd)
        }
    }
}
