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
    /// Wraps a command for isolation (identity when isolation is off).
    let wrap: @Sendable ([String]) -> [String]

    func run(_ builtin: ToolsFile.Builtin, arguments: JSONObject, timeout: Double) async throws(ToolFailure) -> ToolOutput {
        if builtin.tool.needsAllow && !builtin.allowed {
            throw ToolFailure("\(builtin.tool.rawValue) is switched off: set `allow: true` on it in the tools file")
        }
        if builtin.tool.writes && !allowWrite {
            throw ToolFailure("writing is not allowed: run llm-tools with --allow-write (or set allow_write: true in the tools file)")
        }
        func string(_ key: String) throws(ToolFailure) -> String {
            guard let value = arguments[key]?.stringValue else { throw ToolFailure("\"\(key)\" must be a string") }
            return value
        }
        switch builtin.tool {
        case .readFile:
            let text = try readFile(try string("path"))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let offset = max(1, arguments["offset"]?.intValue ?? 1)
            let limit = arguments["limit"]?.intValue ?? lines.count
            return ToolOutput.text(lines.dropFirst(offset - 1).prefix(max(0, limit)).joined(separator: "\n"), limit: outputLimit)
        case .writeFile:
            let path = try string("path")
            let content = try string("content")
            try writeFile(path, content)
            return ToolOutput(content: "wrote \(content.utf8.count) bytes to \(path)")
        case .editFile:
            let path = try string("path")
            let old = try string("old_string")
            let new = try string("new_string")
            let text = try readFile(path)
            let count = text.components(separatedBy: old).count - 1
            guard !old.isEmpty, count == 1 else {
                throw ToolFailure(count == 0 || old.isEmpty ? "old_string was not found in \(path)" : "old_string occurs \(count) times in \(path); give more context so it is unique")
            }
            try writeFile(path, text.replacingOccurrences(of: old, with: new))
            return ToolOutput(content: "replaced 1 occurrence in \(path)")
        case .listDir:
            return ToolOutput.text(try listDirectory(arguments["path"]?.stringValue ?? "."), limit: outputLimit)
        case .searchFiles:
            return ToolOutput.text(try search(try string("pattern"), under: arguments["path"]?.stringValue ?? ".",
                                              max: arguments["max_results"]?.intValue ?? 200), limit: outputLimit)
        case .httpGet:
            return try await httpGet(try string("url"), hosts: builtin.hosts, timeout: timeout)
        case .shell:
            let command = try string("command")
            let result: ChildProcess.Result
            do {
                result = try await ChildProcess.run(wrap(["/bin/sh", "-c", command]), environment: environment, directory: confinement.root,
                                                    timeout: timeout, outputLimit: outputLimit)
            } catch {
                throw ToolFailure(error.message)
            }
            return ToolOutput(process: result, timeout: timeout, limit: outputLimit)
        }
    }

    private func readFile(_ path: String) throws(ToolFailure) -> String {
        let fd = try confinement.openForReading(path)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw ToolFailure("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[..<n])
            if bytes.count > 16 << 20 { throw ToolFailure("\(path) is larger than 16 MiB") }
        }
        guard let text = String(validating: bytes, as: UTF8.self), !bytes.contains(0) else {
            throw ToolFailure("\(path) is not a text file (\(bytes.count) bytes)")
        }
        return text
    }

    private func writeFile(_ path: String, _ content: String) throws(ToolFailure) {
        let fd = try confinement.openForWriting(path)
        defer { close(fd) }
        let result = Array(content.utf8).withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
        if case .failed(let code) = result { throw ToolFailure("cannot write \(path): \(String(cString: strerror(code)))") }
    }

    private func listDirectory(_ path: String) throws(ToolFailure) -> String {
        let fd = try confinement.openForReading(path, directory: true)
        guard let real = try? confinement.check(fd, asked: path) else { close(fd); throw ToolFailure("cannot list \(path)") }
        close(fd)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: real) else { throw ToolFailure("cannot list \(path)") }
        var isDirectory: ObjCBool = false
        return names.sorted().map { name in
            FileManager.default.fileExists(atPath: real + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue ? name + "/" : name
        }.joined(separator: "\n")
    }

    /// Walks the tree under `path` without following symlinks out of it.
    private func search(_ pattern: String, under path: String, max: Int) throws(ToolFailure) -> String {
        let regex: Regex<AnyRegexOutput>
        do { regex = try Regex(pattern) } catch { throw ToolFailure("invalid regular expression: \(error)") }
        let fd = try confinement.openForReading(path, directory: true)
        let start: String
        do throws(ToolFailure) { start = try confinement.check(fd, asked: path) } catch { close(fd); throw error }
        close(fd)
        var matches: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: start) else { return "" }
        while let entry = walker.nextObject() as? String, matches.count < max {
            let full = start + "/" + entry
            var info = stat()
            guard lstat(full, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size < 4 << 20,
                  let data = FileManager.default.contents(atPath: full), !data.contains(0),
                  let text = String(data: data, encoding: .utf8)
            else { continue }
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where (try? regex.firstMatch(in: line)) != nil {
                matches.append("\(confinement.relative(full)):\(number + 1): \(line)")
                if matches.count >= max { break }
            }
        }
        return matches.isEmpty ? "no matches" : matches.joined(separator: "\n")
    }

    private func httpGet(_ url: String, hosts: [String], timeout: Double) async throws(ToolFailure) -> ToolOutput {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ToolFailure("only http and https URLs can be fetched") }
        var request = HTTPRequest(method: "GET", url: url)
        let host = request.host.split(separator: ":").first.map(String.init)?.lowercased() ?? ""
        let allowed = hosts.contains { pattern in
            let p = pattern.lowercased()
            return p.hasPrefix("*.") ? host.hasSuffix(String(p.dropFirst(1))) : host == p
        }
        guard allowed else { throw ToolFailure("\(host) is not on this tool's hosts list") }
        request.timeout = timeout
        do {
            let response = try await HTTPClient.shared.send(request)
            let body = ToolOutput.text(String(decoding: response.body, as: UTF8.self), limit: outputLimit)
            return ToolOutput(content: "HTTP \(response.status)\n" + body.content, truncated: body.truncated,
                              isError: !(200..<300).contains(response.status))
        } catch {
            throw ToolFailure("cannot fetch \(url): \(error.detail)")
        }
    }
}
