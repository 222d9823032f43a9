import Foundation

/// Bubblewrap, where installed: tools run with no network and a read-only view of the
/// filesystem outside their root.
enum Isolation {
    static let bubblewrap: String? = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func wrap(_ argv: [String], bwrap: String, root: String) -> [String] {
        // Mounts apply in order: the root is bound last, so a private /tmp cannot hide it.
        [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", root, root,
         "--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session", "--chdir", root, "--"] + argv
    }
}
