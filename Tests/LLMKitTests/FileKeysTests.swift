import Foundation
@testable import LLMKit
import Testing

/// Every key of the config, tools and agents files is one the code reads, and the README's
/// reference (llmkit(5)) lists exactly those: a misspelt key is an error naming the right
/// ones, never a setting silently not made.
@Suite struct FileKeysTests {
    func configError(_ yaml: String) -> String? {
        do { _ = try ConfigLoader.parse(yaml, path: "config.yaml"); return nil } catch { return error.kind == .configuration ? error.message : "\(error.kind)" }
    }

    func toolsError(_ yaml: String) -> String? {
        do { _ = try ToolsFile.parse(YAMLValue.parse(yaml, source: "tools.yaml"), source: "tools.yaml"); return nil } catch {
            return error.kind == .configuration ? error.message : "\(error.kind)"
        }
    }

    @Test func aMisspeltTopLevelConfigKeyIsAnErrorNamingTheKeys() throws {
        let message = try #require(configError("fallback:\n  openai/gpt-4o: [ollama/qwen3]\n"))
        #expect(message.contains("fallback") && message.contains("fallbacks"), "\(message)")
        #expect(configError("default_model: ollama/qwen3\nfallbacks: {}\nprefer: local\n") == nil)
    }

    @Test(arguments: [
        ("allow-write: true\ntools: []\n", "allow_write"),                                     // top level
        ("tools:\n  - name: w\n    command: [./w.sh]\n    timeout_s: 5\n", "timeout"),          // command tool
        ("tools:\n  - builtin: shell\n    allow: true\n    env: [GITHUB_TOKEN]\n", "hosts"),   // a built-in takes no env
        ("mcp:\n  - name: fs\n    command: [srv]\n    enviroment: [X]\n", "env"),               // MCP server
    ])
    func aMisspeltToolsFileKeyIsAnErrorNamingTheKeys(_ yaml: String, _ known: String) throws {
        let message = try #require(toolsError(yaml), "loaded: \(yaml)")
        #expect(message.contains(known), "\(message)")
    }

    /// A value of the wrong type is refused rather than read as "absent": an MCP `tools:`
    /// written as one name would otherwise offer every tool the server has.
    @Test(arguments: [
        "mcp:\n  - name: fs\n    command: [srv]\n    tools: read_file\n",
        "allow_write: \"true\"\ntools: []\n",
        "readable: /etc\ntools: []\n",
        "tools:\n  - builtin: http_get\n    allow: true\n    hosts: example.com\n",
        "mcp: {name: fs}\n",
        "root: 5\ntools: []\n",
        "tools:\n  - name: w\n    description: 5\n    command: [./w.sh]\n",
        "tools:\n  - name: w\n    parameters: x\n    command: [./w.sh]\n",
        "tools:\n  - {type: function, function: {name: w, parameters: [a]}}\n",
    ])
    func aToolsFileValueOfTheWrongTypeIsAnError(_ yaml: String) {
        #expect(toolsError(yaml) != nil, "loaded: \(yaml)")
    }

    /// A definition pasted from a provider's documentation loads: OpenAI's `strict` (flat or
    /// in its `function` wrapper) and Anthropic's `cache_control` are theirs, not misspellings.
    @Test(arguments: [
        "tools:\n  - {name: w, strict: true, parameters: {type: object}, command: [./w.sh]}\n",
        "tools:\n  - {type: function, function: {name: w, strict: true, parameters: {type: object}}}\n",
        "tools:\n  - {name: w, input_schema: {type: object}, cache_control: {type: ephemeral}, command: [./w.sh]}\n",
    ])
    func aDefinitionPastedFromAProviderLoads(_ yaml: String) {
        #expect(toolsError(yaml) == nil)
    }

    @Test func theKeysTheCodeReadsAreTheKeysTheReferenceLists() throws {
        let readme = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Configuration reference\n").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        // A reference entry is a list item that starts with its key: "- `providers.NAME.timeout`: …".
        let regex = try NSRegularExpression(pattern: "^- `([a-z_.A-Z0-9\\[\\]]+)`", options: .anchorsMatchLines)
        let listed = Set(regex.matches(in: section, range: NSRange(section.startIndex..., in: section)).compactMap {
            Range($0.range(at: 1), in: section).map { String(section[$0]).split(separator: ".").last.map(String.init) ?? "" }
        })
        let read = FileKeys.all
        #expect(read.count > 40)
        #expect(read.subtracting(listed).isEmpty, "read by the code, missing from the reference: \(read.subtracting(listed).sorted())")
        #expect(listed.subtracting(read).isEmpty, "in the reference, read by no code: \(listed.subtracting(read).sorted())")
    }
}

extension FileKeysTests {
    @Test func aMisspeltAgentsFileKeyIsAnError() throws {
        let yaml = "agents:\n  - name: a\n    model: mock/echo\nport: 8000\n"
        #expect(throws: LLMError.self) {
            _ = try AgentsFile.parse(YAMLValue.parse(yaml, source: "agents.yaml"), source: "agents.yaml", directory: "/tmp")
        }
    }
}

extension FileKeysTests {
    /// A tools or agents file that is not YAML is a configuration error (exit 78), as a
    /// config file that is not is: the file is set up by a person, not read as input.
    @Test func aToolsOrAgentsFileThatIsNotYAMLIsAConfigurationError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("llmkit-broken-\(UUID().uuidString).yaml").path
        try "tools: [\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { _ = try ToolsFile.load(path) } throws: { ($0 as? LLMError)?.kind == .configuration }
        #expect { _ = try AgentsFile.load(path) } throws: { ($0 as? LLMError)?.kind == .configuration }
    }
}
