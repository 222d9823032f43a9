import Foundation

/// How tool programs (command tools, `shell`, MCP servers) are started: directly, or with
/// `--isolate` inside bubblewrap.
///
/// The sandbox shares nothing it does not have to: no network, no other process, no IPC,
/// every capability dropped, a fresh /tmp and /dev, and of the filesystem only the system's
/// programs and libraries (`/usr` and its links, a few files of `/etc`), the program itself
/// and any `readable:` paths, read-only, and the root — writable only with `--allow-write`.
/// No home directory, no /run or /var (where D-Bus, SSH-agent and Docker sockets live), and
/// an environment built from the allowlist alone — handed to bubblewrap as its environment,
/// never as arguments, which any local user can read in /proc.
public struct Sandbox: Sendable {
    /// `nil`: no isolation.
    let bubblewrap: String?
    let root: String
    let writable: Bool
    let readable: [String]

    public static let none = Sandbox(bubblewrap: nil, root: "/", writable: true, readable: [])

    /// `$LLMKIT_BWRAP` if set (empty: none), else the usual places.
    public static let installedBubblewrap: String? = {
        let candidates = ProcessInfo.processInfo.environment["LLMKIT_BWRAP"].map { [$0] }
            ?? ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
        return candidates.first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// An isolating sandbox; refuses where bubblewrap is missing rather than run unconfined.
    public static func isolating(root: String, writable: Bool, readable: [String]) throws(ToolFailure) -> Sandbox {
        guard let bwrap = installedBubblewrap else {
            throw ToolFailure("--isolate needs bubblewrap, which is not installed (apt-get install bubblewrap); refusing to run tools unconfined")
        }
        return Sandbox(bubblewrap: bwrap, root: root, writable: writable, readable: readable)
    }

    public var isIsolating: Bool { bubblewrap != nil }

    /// What to spawn for `argv`, and with what environment: bubblewrap passes its own
    /// environment on to the program.
    public func command(_ argv: [String], environment: [String: String]) -> (argv: [String], environment: [String: String]) {
        guard let bwrap = bubblewrap else { return (argv, environment) }
        var args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                    "--ro-bind", "/usr", "/usr"]
        // Merged-/usr systems link /bin, /lib… into /usr; others have real directories.
        for top in ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: top) {
                args += ["--symlink", target, top]
            } else if FileManager.default.fileExists(atPath: top) {
                args += ["--ro-bind", top, top]
            }
        }
        for file in Self.systemFiles where FileManager.default.fileExists(atPath: file) {
            args += ["--ro-bind", file, file]
        }
        args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        // Mounts apply in order: these come after /tmp, so a private /tmp cannot hide them.
        // The program is shown when it lives outside the system (a script beside the tools
        // file), itself alone: its folder may be a home directory.
        let program = argv.first.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("/usr/") ? $0 : nil }
        for path in readable + [program].compactMap({ $0 }) where FileManager.default.fileExists(atPath: path) {
            args += ["--ro-bind", path, path]
        }
        args += [writable ? "--bind" : "--ro-bind", root, root, "--chdir", root]
        var inside = environment
        inside["HOME"] = "/tmp"
        return (args + ["--"] + argv, inside)
    }

    /// What dynamically linked programs, interpreters and `ls -l` read from /etc.
    static let systemFiles = [
        "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/passwd", "/etc/group",
        "/etc/nsswitch.conf", "/etc/localtime", "/etc/timezone", "/etc/locale.alias", "/etc/ssl/certs", "/etc/mime.types",
    ]
}
