import Foundation
import LLMKit
import Testing

/// A known fake key, placed wherever a key can come from, and a check that it never
/// appears in any byte a tool writes (DESIGN §8). Used across the suite.
enum Secrets {
    /// Long and distinctive, so a leaked fragment is unmistakable.
    static let fakeKey = "sk-llmkit-FAKE-7f3a9c2e1b4d8a6f0c5e"

    /// One way a provider can get its key: the environment and config that put it there.
    struct KeySource: CustomStringConvertible {
        var description: String
        var model: String
        var environment: [String: String]
    }

    /// The model `provider/name` with the fake key in each place a key can come from: the
    /// provider's own variable, a variable the config names, and `api_key_cmd`.
    static func sources(name: String, apiBase: String) throws -> [KeySource] {
        let directory = Paths.temporaryDirectory()
        func config(_ text: String) throws -> String {
            let url = directory.appendingPathComponent("config-\(UUID().uuidString).yaml")
            try text.write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let keyFile = directory.appendingPathComponent("key.txt")
        try (fakeKey + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        return [
            KeySource(description: "OPENAI_API_KEY", model: "openai/\(name)",
                      environment: ["OPENAI_API_KEY": fakeKey, "OPENAI_BASE_URL": apiBase]),
            KeySource(description: "api_key_env", model: "corp/\(name)", environment: [
                "CORP_SECRET_KEY": fakeKey,
                "LLMKIT_CONFIG": try config("providers:\n  corp:\n    api_base: \(apiBase)\n    api_key_env: CORP_SECRET_KEY\n"),
            ]),
            KeySource(description: "api_key_cmd", model: "corp/\(name)", environment: [
                "LLMKIT_CONFIG": try config("providers:\n  corp:\n    api_base: \(apiBase)\n    api_key_cmd: cat \(keyFile.path)\n"),
            ]),
        ]
    }

    /// Ten-character pieces of the key: a key split across two writes leaks as pieces.
    static let fragments: [Substring] = stride(from: 0, to: fakeKey.count - 10, by: 4).map {
        fakeKey.dropFirst($0).prefix(10)
    }

    /// Fails the test if the key, or any piece of it, is in the tool's stdout or stderr.
    static func expectNoKey(_ result: CommandResult, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectNoKey(in: result.stdout, "\(context), stdout", sourceLocation: sourceLocation)
        expectNoKey(in: result.stderr, "\(context), stderr", sourceLocation: sourceLocation)
    }

    static func expectNoKey(in text: String, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let leaked = fragments.filter { text.contains($0) }
        #expect(leaked.isEmpty, "\(context): the key leaked (\(leaked.count) pieces)", sourceLocation: sourceLocation)
    }
}
