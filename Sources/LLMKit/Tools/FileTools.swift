#if canImport(Glibc)
import Glibc
#endif
import CLinux

/// The file built-ins, working only on descriptors `Confinement` opened: a directory is
/// listed and walked through its own descriptor (`fdopendir`, `openat` one name at a time
/// with `O_NOFOLLOW`), never reopened by path, so nothing swapped in between can redirect it.
/// Each checks its deadline as it goes and ends with an error when the time is up.
struct FileTools {
    let confinement: Confinement
    let deadline: ContinuousClock.Instant
    let timeout: Double

    static let maxFileBytes = 16 << 20
    static let maxSearchedFileBytes = 4 << 20
    static let maxDepth = 64
    static let pathOnly = llmkit_o_path()

    func checkDeadline() throws(ToolFailure) {
        if ContinuousClock.now >= deadline {
            throw ToolFailure("the tool timed out after \(ToolOutput.seconds(timeout)) s and was stopped")
        }
    }

    func read(_ path: String) throws(ToolFailure) -> String {
        let fd = try confinement.openFile(path)
        defer { close(fd) }
        return try Self.text(of: fd, limit: Self.maxFileBytes, name: path) { () throws(ToolFailure) in try checkDeadline() }
    }

    /// Replaces the file's content (or creates it) through the checked descriptor.
    func write(_ path: String, _ content: String) throws(ToolFailure) {
        let fd = try confinement.openForWriting(path)
        defer { close(fd) }
        guard ftruncate(fd, 0) == 0 else { throw ToolFailure("cannot write \(path): \(Confinement.describe(errno))") }
        let result = Array(content.utf8).withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
        if case .failed(let code) = result { throw ToolFailure("cannot write \(path): \(Confinement.describe(code))") }
    }

    func list(_ path: String) throws(ToolFailure) -> String {
        let fd = try confinement.openDirectory(path)
        var names: [String] = []
        try Self.entries(of: fd) { (name, isDirectory) throws(ToolFailure) in
            try checkDeadline()
            names.append(isDirectory ? name + "/" : name)
        }
        return names.sorted().joined(separator: "\n")
    }

    /// Lines matching `pattern` under `path`, as `path:line: text`. Symlinks are not followed.
    func search(_ pattern: String, under path: String, max: Int) throws(ToolFailure) -> String {
        let regex: LineRegex
        do { regex = try LineRegex(pattern) } catch { throw ToolFailure("invalid regular expression: \(error)") }
        let start = try confinement.openDirectory(path)
        var matches: [String] = []
        let prefix = path == "." || path.isEmpty ? "" : (path.hasSuffix("/") ? path : path + "/")
        _ = try walk(start, prefix: prefix, depth: 0) { (fd, name) throws(ToolFailure) in
            var info = stat()
            guard fstat(fd, &info) == 0, info.st_size < Self.maxSearchedFileBytes,
                  let text = try? Self.text(of: fd, limit: Self.maxSearchedFileBytes, name: name, check: {})
            else { return matches.count < max }
            var number = 0
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if text.hasSuffix("\n") { lines.removeLast() }  // the newline ends the last line; no empty line follows
            for line in lines {
                number += 1
                let hit: Bool
                do { hit = try regex.matches(line, deadline: deadline) } catch { try checkDeadline(); return false }
                if hit {
                    matches.append("\(name):\(number): \(line)")
                    if matches.count >= max { return false }
                }
            }
            return true
        }
        return matches.isEmpty ? "no matches" : matches.joined(separator: "\n")
    }

    /// Depth first, sorted by name; `visit` gets each regular file's descriptor and says
    /// whether to go on. Closes `directory`.
    private func walk(_ directory: Int32, prefix: String, depth: Int,
                      visit: (Int32, String) throws(ToolFailure) -> Bool) throws(ToolFailure) -> Bool {
        var children: [(String, Bool)] = []
        let parent = dup(directory)
        defer { close(parent) }
        try Self.entries(of: directory) { (name, isDirectory) throws(ToolFailure) in children.append((name, isDirectory)) }
        for (name, isDirectory) in children.sorted(by: { $0.0 < $1.0 }) {
            try checkDeadline()
            if isDirectory {
                guard depth < Self.maxDepth else { continue }
                let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                guard fd >= 0 else { continue }
                if try !walk(fd, prefix: prefix + name + "/", depth: depth + 1, visit: visit) { return false }
            } else {
                // Looked at through O_PATH, and opened only if it is a regular file.
                let handle = openat(parent, name, Self.pathOnly | O_NOFOLLOW | O_CLOEXEC)
                guard handle >= 0 else { continue }
                defer { close(handle) }
                var info = stat()
                guard fstat(handle, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                let fd = open("/proc/self/fd/\(handle)", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
                guard fd >= 0 else { continue }
                defer { close(fd) }
                if try !visit(fd, prefix + name) { return false }
            }
        }
        return true
    }

    /// The names in a directory (not `.` or `..`), and whether each is a directory (a
    /// symlink is not). Closes `fd`.
    private static func entries(of fd: Int32, _ each: (String, Bool) throws(ToolFailure) -> Void) throws(ToolFailure) {
        guard let stream = fdopendir(fd) else {
            close(fd)
            throw ToolFailure("cannot list the directory: \(Confinement.describe(errno))")
        }
        defer { closedir(stream) }
        let dirFD = dirfd(stream)
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = fstatat(dirFD, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFDIR
            }
            try each(name, isDirectory)
        }
    }

    /// A descriptor's whole content as UTF-8 text, refused if binary or over `limit`.
    static func text(of fd: Int32, limit: Int, name: String, check: () throws(ToolFailure) -> Void) throws(ToolFailure) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            try check()
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolFailure("cannot read \(name): \(Confinement.describe(errno))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[..<n])
            if bytes.count > limit { throw ToolFailure("\(name) is larger than \(limit >> 20) MiB") }
        }
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw ToolFailure("\(name) is not a text file (\(bytes.count) bytes)")
        }
        return text
    }
}
