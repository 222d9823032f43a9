import Foundation

/// Bubblewrap, where installed: tools run with no network and a read-only view of the
/// filesystem outside their root.
enum Isolation {
    static let bubblewrap: String? = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func wrap(_ argv: [String], bwrap: String, root: String) -> [String] {
        [bwrap, "--ro-bind", "/", "/", "--bind", root, root, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
         "--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session", "--chdir", root, "--"] + argv
    }
}
