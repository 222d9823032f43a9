import Foundation

/// Where the package and its built binaries are, from this file's location.
enum Paths {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `LLMKIT_BIN_DIR` (set by `make test`), else the debug build folder.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["LLMKIT_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    static func binary(_ name: String) -> URL { binDirectory.appendingPathComponent(name) }
    static func fixture(_ name: String) -> URL { packageRoot.appendingPathComponent("Tests/Fixtures/\(name)") }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("llmkit-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
