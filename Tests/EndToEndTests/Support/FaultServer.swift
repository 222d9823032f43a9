import Foundation
import LLMKit

/// `fault_server.py`: an OpenAI-compatible server that injects the faults its script names,
/// one step per API request.
struct FaultServer {
    let server: FakeServer

    init(script: [String], arguments: [String] = []) throws {
        let json = "[" + script.map { JSONValue.string($0).serialized }.joined(separator: ",") + "]"
        server = try FakeServer(script: "fault_server.py", arguments: ["--script", json] + arguments)
    }

    var baseURL: String { server.baseURL }

    /// Every request it received, with arrival time (`t`, seconds, monotonic) and the step applied.
    func log() throws -> [JSONObject] {
        let result = try run("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(server.port)/_log"])
        return try JSONParser.parse(result.stdout).arrayValue?.compactMap(\.objectValue) ?? []
    }

    /// The API requests only (not the health checks).
    func apiRequests() throws -> [JSONObject] {
        try log().filter { $0["fault"]?.stringValue != "health" }
    }

    /// A config with one provider, `faulty`, at this server; its key (when given) from FAULT_KEY.
    func config(in directory: URL, key: Bool = false, extra: String = "") throws -> String {
        let path = directory.appendingPathComponent("config.yaml").path
        var text = "providers:\n  faulty:\n    type: openai\n    api_base: \(baseURL)\n"
        if key { text += "    api_key_env: FAULT_KEY\n" }
        try (text + extra).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
