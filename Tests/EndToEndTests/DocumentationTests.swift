import Foundation
import LLMKit
import Testing

/// README examples run as written.
@Suite struct DocumentationTests {
    /// The README's Makefile step: a failed model call fails the build, and fails it again
    /// on the next `make` (a half-written target must not count as up to date).
    @Test func theMakefileStepFailsEveryTimeTheModelFails() throws {
        let readme = try String(contentsOf: Paths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let afterIntro = try #require(readme.components(separatedBy: "A Makefile step that fails the build").dropFirst().first)
        let block = try #require(afterIntro.components(separatedBy: "```make\n").dropFirst().first?.components(separatedBy: "```").first)
        let work = Paths.temporaryDirectory().appendingPathComponent("make")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("src"), withIntermediateDirectories: true)
        try block.write(to: work.appendingPathComponent("Makefile"), atomically: true, encoding: .utf8)
        let environment = ["PATH": Paths.binDirectory.path + ":/usr/bin:/bin",
                           // Nothing listens here: the model call fails at once.
                           "LLMKIT_API_BASE": "http://127.0.0.1:9/v1",
                           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"]
        let setup = "git init -q && echo a > src/a.txt && git add src && git commit -qm one && git tag v1.2.0 && echo b >> src/a.txt && git commit -qam two"
        let prepared = try run("/bin/sh", ["-c", "cd '\(work.path)' && \(setup)"], stdin: nil, environment: environment)
        #expect(prepared.status == 0, "\(prepared.stderr)")
        for attempt in 1...2 {
            let result = try run("/bin/sh", ["-c", "cd '\(work.path)' && make CHANGELOG.draft"], stdin: nil, environment: environment)
            #expect(result.status != 0, "make run \(attempt) succeeded: \(result.stdout)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("CHANGELOG.draft").path), "run \(attempt) left the target behind")
        }
    }
}
