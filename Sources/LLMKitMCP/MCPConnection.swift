import Foundation
import LLMKit
import Synchronization

/// One MCP server over stdio: newline-delimited JSON-RPC 2.0, requests matched to replies
/// by id.
///
/// Every request has a deadline; a server that exits fails what it had pending with how it
/// ended and the last lines it wrote to stderr; a message larger than the limit stops the
/// server rather than grow memory. Replies are parsed by llmkit's own JSON parser, so a
/// tool's schema keeps its key order (a model reads properties in the order written).
final class MCPConnection: Sendable {
    typealias Reply = Result<JSONValue, ToolFailure>

    let name: String
    let timeout: Double
    private let session: ChildProcess.Session
    private let maxMessageBytes: Int
    private let log: Log

    private struct State {
        var nextID = 1
        var pending: [Int: CheckedContinuation<Reply, Never>] = [:]
        /// Why the connection is over, once it is: every later request fails with it.
        var closed: String?
    }
    private let state = Mutex(State())
    private let writeLock = Mutex(())
    /// The last few KiB the server wrote to stderr, to quote when it fails; `true` once
    /// stderr has ended.
    private let stderrTail = Mutex<(bytes: [UInt8], ended: Bool)>(([], false))

    private init(name: String, timeout: Double, session: ChildProcess.Session, maxMessageBytes: Int, log: Log) {
        self.name = name
        self.timeout = timeout
        self.session = session
        self.maxMessageBytes = maxMessageBytes
        self.log = log
    }

    static func start(name: String, argv: [String], environment: [String: String], directory: String,
                      timeout: Double, maxMessageBytes: Int, log: Log) throws(ToolFailure) -> MCPConnection {
        let session: ChildProcess.Session
        do {
            session = try ChildProcess.start(argv, environment: environment, directory: directory)
        } catch {
            throw ToolFailure("cannot start MCP server \(name): \(error.message)")
        }
        let connection = MCPConnection(name: name, timeout: timeout, session: session, maxMessageBytes: maxMessageBytes, log: log)
        Thread.detachNewThread { connection.readReplies() }
        Thread.detachNewThread { connection.readErrors() }
        return connection
    }

    /// Sends a request and waits for its reply, at most `timeout` seconds.
    func request(_ method: String, _ params: JSONObject) async throws(ToolFailure) -> JSONValue {
        let reply: Reply = await withCheckedContinuation { continuation in
            let id: Int? = state.withLock { s in
                guard s.closed == nil else { return nil }
                let id = s.nextID
                s.nextID += 1
                s.pending[id] = continuation
                return id
            }
            guard let id else {
                continuation.resume(returning: .failure(ToolFailure(closedReason())))
                return
            }
            let seconds = timeout
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                self.finish(id, .failure(ToolFailure("MCP server \(self.name) did not answer \(method) within \(ToolOutput.seconds(seconds)) s (its timeout)")))
            }
            send(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)])
        }
        return try reply.get()
    }

    func notify(_ method: String) {
        send(["jsonrpc": "2.0", "method": .string(method)])
    }

    /// Ends the server and everything it started; pending requests fail.
    func stop() {
        close("MCP server \(name) was stopped")
        session.stop()
    }

    private func send(_ message: JSONObject) {
        var line: [UInt8] = []
        message.write(to: &line)
        line.append(0x0A)
        let bytes = line
        // From a thread of its own: a server that stops reading must not block the caller,
        // whose deadline is running.
        let fd = session.input
        Thread.detachNewThread {
            self.writeLock.withLock { _ in _ = bytes.withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) } }
        }
    }

    private func finish(_ id: Int, _ reply: Reply) {
        let continuation = state.withLock { $0.pending.removeValue(forKey: id) }
        continuation?.resume(returning: reply)
    }

    /// Marks the connection over and fails everything pending with `reason`.
    private func close(_ reason: String) {
        let pending = state.withLock { s -> [CheckedContinuation<Reply, Never>] in
            if s.closed == nil { s.closed = reason }
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        for continuation in pending { continuation.resume(returning: .failure(ToolFailure(reason))) }
    }

    private func closedReason() -> String {
        state.withLock { $0.closed } ?? "MCP server \(name) is not running"
    }

    private func readReplies() {
        var reader = LineReader(fd: session.output, maxLineBytes: maxMessageBytes)
        while true {
            let line: [UInt8]?
            do {
                line = try reader.next()
            } catch {
                close("MCP server \(name) sent a message larger than \(maxMessageBytes >> 10) KiB (raise --max-output); it was stopped")
                kill(-session.pid, SIGKILL)
                return
            }
            guard let line else { break }
            guard let message = try? JSONParser.parse(line).objectValue else { continue }
            handle(message)
        }
        close(exitReason())
    }

    private func handle(_ message: JSONObject) {
        if let method = message["method"]?.stringValue {
            // A request from the server: ping is answered, the rest is not offered.
            guard let id = message["id"] else { return }
            if method == "ping" {
                send(["jsonrpc": "2.0", "id": id, "result": .object(JSONObject())])
            } else {
                send(["jsonrpc": "2.0", "id": id, "error": ["code": -32601, "message": .string("llmkit does not offer \(method)")]])
            }
            return
        }
        guard let id = message["id"]?.intValue else { return }
        if let error = message["error"] {
            let text = error["message"]?.stringValue ?? error.serialized
            finish(id, .failure(ToolFailure("MCP server \(name) answered with an error: \(text)")))
        } else {
            finish(id, .success(message["result"] ?? .null))
        }
    }

    /// How the server ended, with what it last said on stderr. Waits a moment for the exit
    /// that follows the end of its output.
    private func exitReason() -> String {
        var ended: String?
        for _ in 0..<50 {
            ended = session.exitDescription
            if ended != nil, stderrTail.withLock({ $0.ended }) { break }
            usleep(4000)
        }
        let said = String(decoding: stderrTail.withLock { $0.bytes }, as: UTF8.self)
            .split(whereSeparator: \.isNewline).suffix(3).joined(separator: " / ")
        return "MCP server \(name) exited" + (ended.map { " (\($0))" } ?? "") + (said.isEmpty ? "" : ": \(said)")
    }

    /// Keeps the end of the server's stderr; with -v, passes it on, line by line.
    private func readErrors() {
        var reader = LineReader(fd: session.errors, maxLineBytes: 64 << 10)
        while let line = try? reader.next() {
            let text = String(decoding: line, as: UTF8.self)
            log.verbose { "[mcp \(self.name)] \(text)" }
            stderrTail.withLock { tail in
                tail.bytes.append(contentsOf: line)
                tail.bytes.append(0x0A)
                if tail.bytes.count > 4096 { tail.bytes.removeFirst(tail.bytes.count - 4096) }
            }
        }
        stderrTail.withLock { $0.ended = true }
    }
}
