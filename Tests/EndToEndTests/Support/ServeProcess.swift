import Foundation
import LLMKit
import Synchronization

/// `llm-serve` on a free loopback port, for one test; its stderr (the access log) is kept.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    private(set) var port = 0
    private let stderr = Collected()
    let directory: URL

    /// `agents` is the agents file's text, written into a fresh directory (which relative
    /// paths in it are relative to); the server runs in `workingDirectory`, by default that one.
    init(agents: String, arguments: [String] = [], environment extra: [String: String] = [:], directory: URL = Paths.temporaryDirectory(),
         workingDirectory: URL? = nil) throws {
        self.directory = directory
        let file = directory.appendingPathComponent("agents.yaml")
        try agents.write(to: file, atomically: true, encoding: .utf8)
        process.executableURL = Paths.binary("llm-serve")
        process.arguments = ["-f", file.path, "--port", "0"] + arguments
        var environment = [
            "PATH": Paths.binDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "HOME": directory.path, "XDG_CONFIG_HOME": directory.appendingPathComponent("config").path,
        ]
        environment.merge(extra) { $1 }
        process.environment = environment
        process.currentDirectoryURL = workingDirectory ?? directory
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        try process.run()
        let handle = pipe.fileHandleForReading
        let stderr = self.stderr
        Thread.detachNewThread {
            while case let data = handle.availableData, !data.isEmpty { stderr.data.withLock { $0.append(data) } }
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if let match = log.firstMatch(of: /on http:\/\/127\.0\.0\.1:(\d+)\/v1/), let port = Int(match.1) {
                self.port = port
                return
            }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw ServeProcessError.didNotStart(log)
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var log: String { String(decoding: stderr.data.withLock { $0 }, as: UTF8.self) }
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// A request with curl: the status and the body. A body goes as JSON unless
    /// `contentType` says otherwise; `method` overrides curl's choice (GET, or POST with a body).
    func curl(_ path: String, body: String? = nil, headers: [String] = [], contentType: String = "application/json",
              method: String? = nil, timeout: Double = 60) throws -> (status: Int, body: String) {
        curlWithHeaders(path, body: body, headers: headers, contentType: contentType, method: method, timeout: timeout)
            .map { ($0.status, $0.body) } ?? (0, "")
    }

    /// The same, with the response's headers (names lowercased).
    func curlWithHeaders(_ path: String, body: String? = nil, headers: [String] = [], contentType: String = "application/json",
                         method: String? = nil, timeout: Double = 60) -> (status: Int, headers: [String: String], body: String)? {
        let headerFile = Paths.temporaryDirectory().appendingPathComponent("headers").path
        var arguments = ["-s", "-N", "--max-time", String(timeout), "-D", headerFile, "-o", "-", "-w", "\n%{http_code}",
                         "http://127.0.0.1:\(port)\(path)"]
        if let method { arguments += ["-X", method] }
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@-"] }
        guard let result = try? run("/usr/bin/curl", arguments, stdin: body, timeout: timeout + 10) else { return nil }
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        var fields: [String: String] = [:]
        let head = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        for line in head.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, fields, lines.joined(separator: "\n"))
    }

    /// The `openai` SDK as the client (Tests/Fixtures/serve_client.py).
    func sdk(_ mode: String, model: String, prompt: String, count: Int? = nil, environment: [String: String] = [:]) throws -> JSONValue {
        let python = try require_python()
        let result = try run(python, [Paths.fixture("serve_client.py").path, mode, baseURL, model, prompt] + (count.map { [String($0)] } ?? []),
                             stdin: nil, environment: environment, timeout: 120)
        guard result.status == 0, let value = try? JSONParser.parse(result.stdout) else {
            throw ServeProcessError.clientFailed(result.stderr + result.stdout)
        }
        return value
    }

    /// A `--keys` file of `lines`, mode 600 as the server asks.
    static func keysFile(_ lines: String) throws -> String {
        let keys = Paths.temporaryDirectory().appendingPathComponent("keys")
        try lines.write(to: keys, atomically: true, encoding: .utf8)
        chmod(keys.path, 0o600)
        return keys.path
    }

    static var python: String? {
        guard let python = ProcessInfo.processInfo.environment["LLMKIT_TEST_PYTHON"], !python.isEmpty else { return nil }
        return python
    }
}

private func require_python() throws -> String {
    guard let python = ServeProcess.python else { throw ServeProcessError.clientFailed("LLMKIT_TEST_PYTHON is not set") }
    return python
}

/// What the server wrote on stderr so far.
final class Collected: Sendable {
    let data = Mutex(Data())
}

enum ServeProcessError: Error {
    case didNotStart(String)
    case clientFailed(String)
}
