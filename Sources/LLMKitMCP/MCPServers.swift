import Foundation
import LLMKit
import Logging
import MCP
import SystemPackage

/// The MCP servers of a tools file, started over stdio and spoken to through the MCP
/// swift-sdk client. Their tools become tools like any other.
public final class MCPServers: MCPTools, @unchecked Sendable {
    private struct Connection {
        var name: String
        var client: Client
        var process: ChildProcess.Session
        var tools: [String]
    }

    private var connections: [Connection] = []
    public private(set) var definitions: [ToolDefinition] = []
    private let timeout: Double

    private init(timeout: Double) { self.timeout = timeout }

    /// Starts each server (in `sandbox`, with the allowlisted environment plus the variables
    /// its entry names) and lists its tools (or the subset the file names).
    public static func start(_ servers: [ToolsFile.MCPServer], of file: ToolsFile, environment: [String: String], directory: String,
                             sandbox: Sandbox) async throws(ToolFailure) -> MCPServers {
        let all = MCPServers(timeout: servers.map(\.timeout).max() ?? ToolsFile.defaultTimeout)
        for server in servers {
            let session: ChildProcess.Session
            do {
                let (argv, variables) = sandbox.command(file.resolvingProgram(server.argv),
                                                        environment: ToolEnvironment.forTool(environment, named: server.environment))
                session = try ChildProcess.start(argv, environment: variables, directory: directory)
            } catch {
                throw ToolFailure("cannot start MCP server \(server.name): \(error.message)")
            }
            let client = Client(name: "llmkit", version: LLMKitVersion.current)
            let transport = StdioTransport(input: FileDescriptor(rawValue: session.output), output: FileDescriptor(rawValue: session.input),
                                           logger: Logger(label: "llmkit.mcp") { _ in SwiftLogNoOpLogHandler() })
            do {
                // The SDK waits as long as the server says nothing: a server that never answers
                // (or cannot even start, say in a sandbox) is killed at its timeout.
                let watchdog = Task {
                    try await Task.sleep(for: .seconds(server.timeout))
                    kill(-session.pid, SIGKILL)
                    // Fails the requests still waiting; the SDK would otherwise wait on forever.
                    await client.disconnect()
                }
                defer { watchdog.cancel() }
                _ = try await client.connect(transport: transport)
                let (tools, _) = try await client.listTools()
                var names: [String] = []
                for tool in tools where server.only?.contains(tool.name) ?? true {
                    all.definitions.append(ToolDefinition(name: tool.name, description: tool.description, parameters: JSONValue(tool.inputSchema)))
                    names.append(tool.name)
                }
                if let missing = server.only?.first(where: { !names.contains($0) }) {
                    throw ToolFailure("MCP server \(server.name) has no tool \(missing)")
                }
                all.connections.append(Connection(name: server.name, client: client, process: session, tools: names))
            } catch let failure as ToolFailure {
                session.stop()
                throw failure
            } catch {
                let exited = session.hasExited
                session.stop()
                throw ToolFailure("MCP server \(server.name) " + (exited ? "exited or was stopped before it answered (within its timeout of \(ToolOutput.seconds(server.timeout)) s)"
                                                                        : "did not answer: \(error)"))
            }
        }
        return all
    }

    public func call(_ name: String, arguments: JSONObject, limit: Int) async throws(ToolFailure) -> ToolOutput {
        guard let connection = connections.first(where: { $0.tools.contains(name) }) else {
            throw ToolFailure("no MCP server offers \(name)")
        }
        var values: [String: MCP.Value] = [:]
        for (key, value) in arguments.entries { values[key] = MCP.Value(value) }
        do {
            let (content, isError) = try await connection.client.callTool(name: name, arguments: values)
            let text = content.map { item -> String in
                switch item {
                case .text(let text, _, _): return text
                case .image(_, let mimeType, _, _): return "[image: \(mimeType)]"
                case .audio(_, let mimeType, _, _): return "[audio: \(mimeType)]"
                case .resource(let resource, _, _): return "[resource: \(resource.uri)]"
                case .resourceLink(let uri, let name, _, _, _, _): return "[resource link \(name): \(uri)]"
                }
            }.joined(separator: "\n")
            var output = ToolOutput.text(text, limit: limit)
            output.isError = isError ?? false
            return output
        } catch {
            throw ToolFailure("MCP server \(connection.name) failed on \(name): \(error)")
        }
    }

    /// Ends every server (and anything it started).
    public func stop() async {
        for connection in connections {
            await connection.client.disconnect()
            connection.process.stop()
        }
        connections.removeAll()
    }
}

extension JSONValue {
    init(_ value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .data(_, let data): self = .string(data.base64EncodedString())
        case .array(let items): self = .array(items.map(JSONValue.init))
        case .object(let object): self = .object(JSONObject(object.sorted { $0.key < $1.key }.map { ($0.key, JSONValue($0.value)) }))
        }
    }
}

extension MCP.Value {
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n): self = Int(n).map(MCP.Value.int) ?? .double(Double(n) ?? 0)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(MCP.Value.init))
        case .object(let object):
            var dict: [String: MCP.Value] = [:]
            for (k, v) in object.entries { dict[k] = MCP.Value(v) }
            self = .object(dict)
        }
    }
}
