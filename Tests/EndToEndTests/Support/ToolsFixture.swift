import Foundation
import LLMKit

/// A scratch root with a tools file, and a way to run one call through `llm-tools exec`.
struct ToolsFixture {
    let directory: URL
    let root: URL
    let outside: URL
    let toolsFile: URL

    init(_ yaml: String) throws {
        directory = Paths.temporaryDirectory()
        root = directory.appendingPathComponent("root")
        outside = directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "secret outside the root\n".write(to: outside.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        try "hello\nsecond line\nthird\n".write(to: root.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
        toolsFile = directory.appendingPathComponent("tools.yaml")
        try ("root: root\n" + yaml).write(to: toolsFile, atomically: true, encoding: .utf8)
    }

    func write(_ name: String, _ text: String, executable: Bool = false) throws {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    }

    /// A conversation whose last assistant message calls `calls` (name, arguments JSON).
    static func conversation(_ calls: [(String, String)]) -> String {
        let toolCalls = calls.enumerated().map { i, call in
            JSONValue(["id": .string("call_\(i + 1)"), "type": "function",
                       "function": ["name": .string(call.0), "arguments": .string(call.1)]])
        }
        let assistant: JSONValue = ["role": "assistant", "content": .null, "tool_calls": .array(toolCalls)]
        return #"{"role":"user","content":"go"}"# + "\n" + assistant.serialized + "\n"
    }

    /// Runs `llm-tools exec` on one or more calls; returns the tool messages.
    func exec(_ calls: [(String, String)], flags: [String] = [], environment: [String: String] = [:]) throws -> (CommandResult, [JSONObject]) {
        let result = try run("llm-tools", ["exec", "-f", toolsFile.path] + flags, stdin: Self.conversation(calls), environment: environment)
        return (result, result.records.filter { $0["role"] == "tool" })
    }

    /// Starts `llm-tools exec` on `calls` and returns without waiting, for a test that
    /// signals it or watches it while it runs; stderr is dropped.
    func startExec(_ calls: [(String, String)], flags: [String], environment: [String: String]) throws -> (process: Process, stdout: Pipe) {
        let process = Process()
        process.executableURL = Paths.binary("llm-tools")
        process.arguments = ["exec"] + flags + ["-f", toolsFile.path]
        process.environment = environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(Self.conversation(calls).utf8))
        try input.fileHandleForWriting.close()
        return (process, output)
    }

    func call(_ name: String, _ arguments: String, flags: [String] = [], environment: [String: String] = [:]) throws -> JSONObject {
        let (result, tools) = try exec([(name, arguments)], flags: flags, environment: environment)
        guard result.status == 0 else { throw ToolsFixtureError.failed(result.status, result.stderr) }
        return tools.first ?? [:]
    }
}

enum ToolsFixtureError: Error { case failed(Int32, String) }

extension JSONValue {
    init(_ object: JSONObject) { self = .object(object) }
}
