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

    /// Every shell block of the README is run as written by a test, which the marker above
    /// it names, or is marked as one that cannot run offline: none is left unchecked by
    /// accident.
    @Test func everyShellBlockIsRunByATestOrMarkedAsNotRunOffline() throws {
        let readme = try String(contentsOf: Paths.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let lines = readme.components(separatedBy: "\n")
        var inBlock = false
        var checked = 0
        for (number, line) in lines.enumerated() where line.hasPrefix("```") {
            defer { inBlock.toggle() }
            guard !inBlock, line == "```sh" || line == "```make" else { continue }
            checked += 1
            let marker = number > 0 ? lines[number - 1] : ""
            if let suite = marker.components(separatedBy: "run as written by ").dropFirst().first?.components(separatedBy: " ").first {
                let file = Paths.packageRoot.appendingPathComponent("Tests/EndToEndTests/\(suite).swift")
                let test = try String(contentsOf: file, encoding: .utf8)
                #expect(test.contains("README.md"), "README.md:\(number + 1): \(suite) does not read the README")
            } else {
                #expect(marker.hasPrefix("<!-- not run offline"), "README.md:\(number + 1): a shell block that no test runs and no marker explains")
            }
        }
        #expect(checked >= 10)
    }
}
