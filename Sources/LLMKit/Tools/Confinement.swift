#if canImport(Glibc)
import Glibc
#endif
import CLinux

private let O_PATH = llmkit_o_path()

/// Keeps file tools inside one directory, whatever path a model asks for.
///
/// A path is never checked as text and then used: every open starts from a descriptor of
/// the root and the kernel resolves the rest beneath it (`openat2` with `RESOLVE_BENEATH`),
/// so `..`, absolute paths, symlinks leading out — and a symlink swapped in at any moment —
/// cannot get out. Where the kernel has no `openat2`, the path is walked one component at a
/// time with `O_NOFOLLOW` and symlinks are refused. What is opened is then used through
/// that descriptor and nothing else: listing, searching, reading, writing.
///
/// Opens never block (`O_NONBLOCK`): a FIFO or a device is refused, not waited on.
public struct Confinement: Sendable {
    /// The root, fully resolved.
    public let root: String
    /// An `O_PATH` descriptor of the root, open for the life of the process.
    let rootFD: Int32
    /// False only in tests, to exercise the walk that kernels without `openat2` get.
    let kernelResolves: Bool

    public init(root: String) throws(ToolFailure) {
        try self.init(root: root, kernelResolves: true)
    }

    init(root: String, kernelResolves: Bool) throws(ToolFailure) {
        guard let resolved = Self.realPath(root) else { throw ToolFailure("the tool root \(root) does not exist") }
        let fd = open(resolved, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolFailure("cannot open the tool root \(root): \(Self.describe(errno))") }
        self.root = resolved
        rootFD = fd
        self.kernelResolves = kernelResolves
    }

    /// Opens an existing regular file for reading.
    public func openFile(_ path: String) throws(ToolFailure) -> Int32 {
        // O_PATH first: a FIFO or device is looked at, never opened.
        let handle = try resolve(path, flags: O_PATH | O_NOFOLLOW | O_CLOEXEC)
        defer { close(handle) }
        try expect(handle, S_IFREG, path)
        let fd = open("/proc/self/fd/\(handle)", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ToolFailure("cannot open \(path): \(Self.describe(errno))") }
        return fd
    }

    /// Opens an existing directory, for `fdopendir`.
    public func openDirectory(_ path: String) throws(ToolFailure) -> Int32 {
        try resolve(path, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    }

    /// Opens a regular file for writing, creating it if needed; its content is kept until
    /// the caller truncates. A file with another hard link is refused: writing it would
    /// write a file that also lives outside the root.
    public func openForWriting(_ path: String) throws(ToolFailure) -> Int32 {
        // Never open by name what might be a FIFO or a device (a rename can swap one in at
        // any moment): an existing file is looked at through O_PATH and reopened through
        // that very descriptor; a new one is created with O_EXCL, which makes only regular
        // files. If the name appears or vanishes between the two, try again.
        for _ in 0..<8 {
            if let handle = try? resolve(path, flags: O_PATH | O_NOFOLLOW | O_CLOEXEC) {
                defer { close(handle) }
                let info = try expect(handle, S_IFREG, path)
                if info.st_nlink > 1 { throw ToolFailure("refused: \(path) has another hard link, which may be outside the tool root") }
                let fd = open("/proc/self/fd/\(handle)", O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { throw ToolFailure("cannot write \(path): \(Self.describe(errno))") }
                return fd
            }
            do {
                return try resolve(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode: 0o644)
            } catch {
                if !error.message.contains(Self.describe(EEXIST)) { throw error }
            }
        }
        throw ToolFailure("cannot write \(path): it keeps changing")
    }

    /// A path as the model should see it: relative to the root.
    public func relative(_ real: String) -> String {
        if real == root { return "." }
        return real.hasPrefix(root + "/") ? String(real.dropFirst(root.count + 1)) : real
    }

    /// `path` made relative to the root: an absolute path must lie under it.
    private func relativeRequest(_ path: String) throws(ToolFailure) -> String {
        guard path.hasPrefix("/") else { return path.isEmpty ? "." : path }
        if path == root { return "." }
        guard root == "/" || path.hasPrefix(root + "/") else { throw ToolFailure("refused: \(path) is outside the tool root") }
        return String(path.dropFirst(root == "/" ? 1 : root.count + 1))
    }

    private func resolve(_ path: String, flags: Int32, mode: mode_t = 0) throws(ToolFailure) -> Int32 {
        let relative = try relativeRequest(path)
        guard kernelResolves else { return try walk(relative, asked: path, flags: flags, mode: mode) }
        let fd = llmkit_openat2_beneath(rootFD, relative, flags, UInt32(mode))
        if fd >= 0 { return fd }
        let failure = errno
        if failure == ENOSYS { return try walk(relative, asked: path, flags: flags, mode: mode) }
        throw refusal(failure, path)
    }

    /// Without `openat2`: one component at a time, each opened `O_PATH | O_NOFOLLOW`
    /// relative to the last, `..` handled by going back up our own stack (never by asking
    /// the kernel for a parent a rename may have changed), and any symlink refused.
    private func walk(_ relative: String, asked: String, flags: Int32, mode: mode_t) throws(ToolFailure) -> Int32 {
        var stack: [Int32] = [dup(rootFD)]
        defer { stack.forEach { close($0) } }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init).filter { $0 != "." }
        for (index, part) in parts.enumerated() {
            if part == ".." {
                guard stack.count > 1 else { throw refusal(EXDEV, asked) }
                close(stack.removeLast())
                continue
            }
            let last = index == parts.count - 1
            if last, flags & O_CREAT != 0 {
                let fd = openat(stack.last!, part, flags, mode)
                guard fd >= 0 else { throw refusal(errno, asked) }
                return fd
            }
            let fd = openat(stack.last!, part, O_PATH | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw refusal(errno, asked) }
            stack.append(fd)
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw refusal(errno, asked) }
            if info.st_mode & S_IFMT == S_IFLNK { throw refusal(ELOOP, asked) }
            if !last, info.st_mode & S_IFMT != S_IFDIR { throw refusal(ENOTDIR, asked) }
        }
        let target = stack.last!
        if flags & O_PATH != 0 { return dup(target) }
        let fd = open("/proc/self/fd/\(target)", flags & ~(O_NOFOLLOW | O_CREAT))
        guard fd >= 0 else { throw refusal(errno, asked) }
        return fd
    }

    @discardableResult
    private func expect(_ fd: Int32, _ type: mode_t, _ path: String) throws(ToolFailure) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ToolFailure("cannot examine \(path): \(Self.describe(errno))") }
        guard info.st_mode & S_IFMT == type else {
            if info.st_mode & S_IFMT == S_IFLNK { throw refusal(ELOOP, path) }
            throw ToolFailure(type == S_IFREG ? "refused: \(path) is not a regular file (\(Self.kind(info.st_mode)))"
                                              : "\(path) is not a directory")
        }
        return info
    }

    private func refusal(_ code: Int32, _ path: String) -> ToolFailure {
        switch code {
        case EXDEV: return ToolFailure("refused: \(path) is outside the tool root")
        case ELOOP: return ToolFailure("refused: \(path) is a symbolic link, which may point outside the tool root")
        case ENXIO: return ToolFailure("refused: \(path) is not a regular file")
        default: return ToolFailure("cannot open \(path): \(Self.describe(code))")
        }
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFLNK: return "a symbolic link"
        default: return "not a plain file"
        }
    }

    static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
