import Foundation

/// Bubblewrap, where installed: tools run with no network and a read-only view of the
/// filesystem outside their root.
enum Isolation {
    /// `$LLMKIT_BWRAP` if set (empty: none), else the usual places.
    static let bubblewrap: String? = {
        let candidates = ProcessInfo.processInfo.environment["LLMKIT_BWRAP"].map { [$0] }
            ?? ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
        return candidates.first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func wrap(_ argv: [String], bwrap: String, root: String) -> [String] {
        // Mounts apply in order: the root is bound last, so a private /tmp cannot hide it.
        [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", root, root,
         "--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session", "--chdir", root, "--"] + argv
    }
}
