import Foundation

/// One model a server offers: a pipeline run per request (`command`), or a model answered
/// in process (`model`, with an optional system prompt and tools file).
public struct AgentDefinition: Sendable {
    public enum Answerer: Sendable, Equatable {
        case command([String])
        case model(String)
    }

    /// The model id clients see.
    public var name: String
    public var description: String?
    public var answerer: Answerer
    public var system: String?
    /// A tools file the in-process agent runs itself, with its confinement.
    public var tools: ToolsFile?
    /// In process: the client's own tools go to the model, and its calls back to the client.
    public var passthrough = false
    /// A command agent gets the client's tools as a `tools` record. Off by default: an agent
    /// running its own loop would see calls to tools it cannot run (Open WebUI sends 36).
    public var clientTools = false
    /// Tool turns are shown to the client as text.
    public var showSteps = false
    /// Where a command runs, or an in-process agent's tools are confined; `{user}` is the
    /// user's own directory. Absolute.
    public var workdir: String?
    /// A model for Open WebUI's title, tags and follow-up requests, which would otherwise
    /// run the whole pipeline.
    public var tasks: String?
    /// Seconds one request may take (the server's `--timeout` when unset).
    public var timeout: Double?
    /// Model turns an in-process agent with tools may take.
    public var maxTurns = 8

    public init(name: String, answerer: Answerer) {
        self.name = name
        self.answerer = answerer
    }

    /// `{user}` in `workdir` makes one directory per user.
    public var hasUserDirectories: Bool { workdir?.contains(AgentsFile.userPlaceholder) ?? false }

    /// The conversation the agent is given: with a `system` prompt, that prompt first and no
    /// system or developer message of the client's anywhere, since the prompt is the
    /// operator's and a client's later instruction would otherwise stand beside it.
    public func conversation(_ messages: [ChatMessage]) -> [ChatMessage] {
        guard let system else { return messages }
        return [.system(system)] + messages.filter {
            // However the client spells them: some servers read `System` or `developer ` as theirs.
            let role = $0.role.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            return role != "system" && role != "developer"
        }
    }
}

/// `agents.yaml`: the agents `llm-serve` offers.
public struct AgentsFile: Sendable {
    public var agents: [AgentDefinition]
    public var path: String?
    /// What loaded but may not be what the operator meant, to be said on stderr.
    public var warnings: [String] = []

    public static let userPlaceholder = "{user}"

    public func agent(named name: String) -> AgentDefinition? { agents.first { $0.name == name } }

    public static func load(_ path: String) throws(LLMError) -> AgentsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.configuration, "cannot read agents file \(path)")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var file = try parse(YAMLValue.parse(String(decoding: data, as: UTF8.self), source: path, kind: .configuration), source: path,
                             directory: (absolute as NSString).deletingLastPathComponent)
        file.path = (absolute as NSString).standardizingPath
        return file
    }

    /// Paths in the file (`workdir`, `tools`) are relative to `directory`, the file's own.
    public static func parse(_ value: JSONValue, source: String, directory: String) throws(LLMError) -> AgentsFile {
        guard let items = value["agents"]?.arrayValue else {
            throw LLMError(.configuration, "\(source): needs `agents:`, a list of agents (see llm-serve --help)")
        }
        if let object = value.objectValue, let unknown = FileKeys.unknown(in: object, known: FileKeys.agentsFile, at: "the top level") {
            throw LLMError(.configuration, "\(source): \(unknown)")
        }
        guard !items.isEmpty else { throw LLMError(.configuration, "\(source): `agents:` is empty") }
        let reader = AgentReader(source: source, base: directory.isEmpty ? "." : directory)
        var file = AgentsFile(agents: [], path: nil)
        for (i, item) in items.enumerated() {
            let (agent, warnings) = try reader.agent(item, number: i + 1, after: file.agents)
            file.agents.append(agent)
            file.warnings += warnings
        }
        return file
    }

    /// A command runs in its `workdir`, often a user's own folder, but the files it was
    /// written with are the agents file's neighbours: a relative program path (one with a
    /// `/`) and an argument naming a file beside the agents file are given as absolute paths.
    /// An argument that looks like a file name but names none there is `missing`: the command
    /// would look for it where it runs, where a user may have put one of their own.
    static func besideTheFile(_ argv: [String], directory: String) -> (argv: [String], missing: [String]) {
        var missing: [String] = []
        let resolved = argv.enumerated().map { index, argument in
            guard !argument.hasPrefix("/"), !argument.hasPrefix("-"), !argument.isEmpty else { return argument }
            let path = (directory as NSString).appendingPathComponent(argument)
            if index == 0 { return argument.contains("/") ? (path as NSString).standardizingPath : argument }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                if looksLikeAFileName(argument) { missing.append(argument) }
                return argument
            }
            return (path as NSString).standardizingPath
        }
        return (resolved, missing)
    }

    /// `tools.yaml`, `prompts/system.md`: a name with an extension that has a letter in it
    /// (so not `qwen2.5` or `gpt-4.1`), and no URL.
    static func looksLikeAFileName(_ argument: String) -> Bool {
        guard !argument.contains("://"), let dot = argument.lastIndex(of: "."), !argument[..<dot].hasSuffix("/") else { return false }
        let fileExtension = argument[argument.index(after: dot)...]
        return (1...8).contains(fileExtension.count) && fileExtension.first!.isLetter
            && fileExtension.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            && argument.allSatisfy { !$0.isWhitespace }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-:/@+".unicodeScalars.contains($0)
        }
    }
}
