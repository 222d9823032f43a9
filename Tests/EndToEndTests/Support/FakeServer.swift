import Foundation
import LLMKit

/// A fake provider server (`Tests/Fixtures/*.py`) on a free loopback port, for one test.
final class FakeServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    init(script: String = "fake_openai.py", arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Paths.fixture(script).path, "--port", "0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints "PORT n" once it listens.
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = String(decoding: line, as: UTF8.self).split(separator: " ").last.flatMap({ Int($0) }) else {
            process.terminate()
            throw FakeServerError.didNotStart(String(decoding: line, as: UTF8.self))
        }
        self.port = port
    }

    /// SIGKILL, not SIGTERM: children of the test runner inherit its blocked signal mask,
    /// so a SIGTERM would never arrive.
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// Every request the server received, oldest first.
    func requests() async throws -> [JSONObject] {
        let response = try await HTTPClient.shared.send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/_requests"))
        return try JSONParser.parse(response.body).arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// The body of the last request received.
    func lastBody() async throws -> JSONObject? {
        try await requests().last?["body"]?.objectValue
    }
}

enum FakeServerError: Error { case didNotStart(String) }
