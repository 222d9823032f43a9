import Foundation
import LLMKit

/// The MCP servers of a tools file, started over stdio. Their tools become tools like any
/// other: listed, validated, called with a deadline.
public final class MCPServers: MCPTools, @unchecked Sendable {
    private struct Server {
        var connection: MCPConnection
        /// The name the model sees → the server's own name for the tool.
        var tools: [String: String]
    }

    private var servers: [Server] = []
    public private(set) var definitions: [ToolDefinition] = []

    private init() {}

    /// Starts each server (in `sandbox`, with the allowlisted environment plus the variables
    /// its entry names), initializes it and lists its tools (or the subset the file names),
    /// each within the entry's timeout. A tool name offered twice is refused, unless the
    /// entries ask for `prefix: true` (then it is `server_tool`).
    public static func start(_ entries: [ToolsFile.MCPServer], of file: ToolsFile, environment: [String: String], directory: String,
                             sandbox: Sandbox, outputLimit: Int, log: Log) async throws(ToolFailure) -> MCPServers {
        let all = MCPServers()
        var owners: [String: String] = Dictionary(file.declaredDefinitions.map { ($0.name, "the tools file") }, uniquingKeysWith: { a, _ in a })
        do throws(ToolFailure) {
            for entry in entries {
                let (argv, variables) = sandbox.command(file.resolvingProgram(entry.argv),
                                                        environment: ToolEnvironment.forTool(environment, named: entry.environment))
                let connection = try MCPConnection.start(name: entry.name, argv: argv, environment: variables, directory: directory,
                                                         timeout: entry.timeout, maxMessageBytes: max(4 * outputLimit, 1 << 20), log: log)
                all.servers.append(Server(connection: connection, tools: [:]))
                let tools = try await listTools(connection)
                var names: [String: String] = [:]
                for tool in tools {
                    guard let toolName = tool["name"]?.stringValue, entry.only?.contains(toolName) ?? true else { continue }
                    let exposed = entry.prefix ? "\(entry.name)_\(toolName)" : toolName
                    if let owner = owners[exposed] {
                        throw ToolFailure("the tool name \"\(exposed)\" is offered by \(owner) and by MCP server \(entry.name): "
                                          + "set prefix: true on the MCP servers to call them \(entry.name)_\(toolName) and so on")
                    }
                    owners[exposed] = "MCP server \(entry.name)"
                    names[exposed] = toolName
                    all.definitions.append(ToolDefinition(name: exposed, description: tool["description"]?.stringValue,
                                                          parameters: tool["inputSchema"] ?? ["type": "object"]))
                }
                if let missing = entry.only?.first(where: { only in !names.values.contains(only) }) {
                    throw ToolFailure("MCP server \(entry.name) has no tool \(missing)")
                }
                all.servers[all.servers.count - 1].tools = names
            }
        } catch {
            await all.stop()
            throw error
        }
        return all
    }

    /// `initialize`, `notifications/initialized`, then every page of `tools/list`.
    private static func listTools(_ connection: MCPConnection) async throws(ToolFailure) -> [JSONValue] {
        let hello: JSONObject = [
            "protocolVersion": "2025-06-18",
            "capabilities": .object(JSONObject()),
            "clientInfo": ["name": "llmkit", "version": .string(LLMKitVersion.current)],
        ]
        _ = try await connection.request("initialize", hello)
        connection.notify("notifications/initialized")
        var tools: [JSONValue] = []
        var cursor: JSONValue?
        for _ in 0..<100 {
            var params = JSONObject()
            params.set("cursor", cursor)
            let page = try await connection.request("tools/list", params)
            tools += page["tools"]?.arrayValue ?? []
            cursor = page["nextCursor"]
            if cursor == nil || cursor == .null { break }
        }
        return tools
    }

    public func call(_ name: String, arguments: JSONObject, limit: Int) async throws(ToolFailure) -> ToolOutput {
        guard let server = servers.first(where: { $0.tools[name] != nil }), let toolName = server.tools[name] else {
            throw ToolFailure("no MCP server offers \(name)")
        }
        let result = try await server.connection.request("tools/call", ["name": .string(toolName), "arguments": .object(arguments)])
        let text = (result["content"]?.arrayValue ?? []).map(Self.render).joined(separator: "\n")
        var output = ToolOutput.text(text, limit: limit)
        output.isError = result["isError"]?.boolValue ?? false
        return output
    }

    /// One content item, as text a model can read.
    private static func render(_ item: JSONValue) -> String {
        switch item["type"]?.stringValue {
        case "text": return item["text"]?.stringValue ?? ""
        case "image", "audio": return "[\(item["type"]?.stringValue ?? ""): \(item["mimeType"]?.stringValue ?? "?")]"
        case "resource": return "[resource: \(item["resource"]?["uri"]?.stringValue ?? "?")]"
        case "resource_link": return "[resource link \(item["name"]?.stringValue ?? ""): \(item["uri"]?.stringValue ?? "?")]"
        default: return item.serialized
        }
    }

    /// Ends every server (and anything it started).
    public func stop() async {
        for server in servers { server.connection.stop() }
        servers.removeAll()
    }
}
