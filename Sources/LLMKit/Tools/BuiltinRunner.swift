#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What the built-in tools do. File tools go through `Confinement`; every result is text
/// for the model, capped at `outputLimit` bytes.
struct BuiltinRunner: Sendable {
    let confinement: Confinement
    let allowWrite: Bool
    let outputLimit: Int
    let environment: [String: String]
    let sandbox: Sandbox

    func run(_ builtin: ToolsFile.Builtin, arguments: JSONObject, timeout: Double) async throws(ToolFailure) -> ToolOutput {
        if builtin.tool.needsAllow && !builtin.allowed {
            throw ToolFailure("\(builtin.tool.rawValue) is switched off: set `allow: true` on it in the tools file")
        }
        if builtin.tool.writes && !allowWrite {
            throw ToolFailure("writing is not allowed: run llm-tools with --allow-write (or set allow_write: true in the tools file)")
        }
        let files = FileTools(confinement: confinement, deadline: .now + .seconds(timeout), timeout: timeout)
        func string(_ key: String) throws(ToolFailure) -> String {
            guard let value = arguments[key]?.stringValue else { throw ToolFailure("\"\(key)\" must be a string") }
            return value
        }
        switch builtin.tool {
        case .readFile:
            let text = try files.read(try string("path"))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let offset = max(1, arguments["offset"]?.intValue ?? 1)
            let limit = arguments["limit"]?.intValue ?? lines.count
            return ToolOutput.text(lines.dropFirst(offset - 1).prefix(max(0, limit)).joined(separator: "\n"), limit: outputLimit)
        case .writeFile:
            let path = try string("path")
            let content = try string("content")
            try files.write(path, content)
            return ToolOutput(content: "wrote \(content.utf8.count) bytes to \(path)")
        case .editFile:
            let path = try string("path")
            let old = try string("old_string")
            let new = try string("new_string")
            let text = try files.read(path)
            let count = text.components(separatedBy: old).count - 1
            guard !old.isEmpty, count == 1 else {
                throw ToolFailure(count == 0 || old.isEmpty ? "old_string was not found in \(path)" : "old_string occurs \(count) times in \(path); give more context so it is unique")
            }
            try files.write(path, text.replacingOccurrences(of: old, with: new))
            return ToolOutput(content: "replaced 1 occurrence in \(path)")
        case .listDir:
            return ToolOutput.text(try files.list(arguments["path"]?.stringValue ?? "."), limit: outputLimit)
        case .searchFiles:
            return ToolOutput.text(try files.search(try string("pattern"), under: arguments["path"]?.stringValue ?? ".",
                                                    max: max(1, arguments["max_results"]?.intValue ?? 200)), limit: outputLimit)
        case .httpGet:
            return try await httpGet(try string("url"), hosts: builtin.hosts, timeout: timeout)
        case .shell:
            let command = try string("command")
            let result: ChildProcess.Result
            do {
                let (argv, environment) = sandbox.command(["/bin/sh", "-c", command], environment: environment)
                result = try await ChildProcess.run(argv, environment: environment, directory: confinement.root,
                                                    timeout: timeout, outputLimit: outputLimit)
            } catch {
                throw ToolFailure(error.message)
            }
            return ToolOutput(process: result, timeout: timeout, limit: outputLimit)
        }
    }

    private func httpGet(_ text: String, hosts: [String], timeout: Double) async throws(ToolFailure) -> ToolOutput {
        let url: ParsedURL
        do {
            url = try ParsedURL(text)
        } catch {
            throw ToolFailure(error.reason.hasPrefix("only http") ? error.reason : "\(error)")
        }
        guard HostAllowList(hosts).permits(url) else {
            throw ToolFailure("\(url.authority) is not on this tool's hosts list" + (hosts.isEmpty ? " (the list is empty: add hosts: to the tool)" : ""))
        }
        var request = HTTPRequest(method: "GET", url: url.url)
        request.timeout = timeout
        do {
            let response = try await HTTPClient.shared.send(request)
            let body = ToolOutput.text(String(decoding: response.body, as: UTF8.self), limit: outputLimit)
            var head = "HTTP \(response.status)"
            if (300..<400).contains(response.status), let location = response.header("Location") {
                // Not followed: the next host must pass the list too, so the model asks for it.
                head += " (redirect to \(TerminalText.escaped(location)), not followed)"
            }
            return ToolOutput(content: head + "\n" + body.content, truncated: body.truncated,
                              isError: !(200..<300).contains(response.status))
        } catch {
            throw ToolFailure("cannot fetch \(url.url): \(error.detail)")
        }
    }
}
