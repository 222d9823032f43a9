#if canImport(Glibc)
import Glibc
#endif

/// Keeps file tools inside one directory, whatever path a model asks for.
///
/// A path is never trusted as text: each operation opens what it names and then asks the
/// kernel where the descriptor really points (`/proc/self/fd`). Symlinks leading out, `..`,
/// absolute paths, and a symlink swapped in between a check and the use all end the same
/// way: refused. Writes open the parent directory first, check it, and create the file
/// relative to that descriptor without following a final symlink.
public struct Confinement: Sendable {
    /// The root, fully resolved.
    public let root: String

    public init(root: String) throws(ToolFailure) {
        guard let resolved = Self.realPath(root) else { throw ToolFailure("the tool root \(root) does not exist") }
        self.root = resolved
    }

    /// Opens an existing file or directory for reading.
    public func openForReading(_ path: String, directory: Bool = false) throws(ToolFailure) -> Int32 {
        let full = absolute(path)
        let fd = open(full, O_RDONLY | O_CLOEXEC | (directory ? O_DIRECTORY : 0))
        guard fd >= 0 else { throw ToolFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
        do throws(ToolFailure) {
            try check(fd, asked: path)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Opens (creating or truncating) a file for writing.
    public func openForWriting(_ path: String, truncate: Bool = true) throws(ToolFailure) -> Int32 {
        let full = absolute(path)
        let slash = full.lastIndex(of: "/")!
        let parent = String(full[..<slash]).isEmpty ? "/" : String(full[..<slash])
        let name = String(full[full.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != ".." else { throw ToolFailure("\(path) is not a file name") }
        let dirfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else { throw ToolFailure("cannot open the directory of \(path): \(String(cString: strerror(errno)))") }
        defer { close(dirfd) }
        try check(dirfd, asked: path)
        let fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw ToolFailure("refused: \(path) is a symbolic link") }
            throw ToolFailure("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return fd
    }

    /// A path as the model should see it: relative to the root.
    public func relative(_ real: String) -> String {
        if real == root { return "." }
        return real.hasPrefix(root + "/") ? String(real.dropFirst(root.count + 1)) : real
    }

    /// Where a descriptor really points, checked against the root. The caller closes it.
    @discardableResult
    public func check(_ fd: Int32, asked: String) throws(ToolFailure) -> String {
        guard let real = Self.realPath("/proc/self/fd/\(fd)"), real == root || real.hasPrefix(root == "/" ? "/" : root + "/") else {
            throw ToolFailure("refused: \(asked) is outside the tool root")
        }
        return real
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : root + "/" + path
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// A tool call that failed in a way the model should hear about and may correct.
public struct ToolFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
