import Foundation
import LLMKit
import Testing

/// The man pages and completions say what the tools do: they are made from the tools, every
/// page renders cleanly with every section, and every flag, exit status and variable they
/// name exists.
@Suite struct ManualTests {
    static let tools = ["llm-complete", "llm-stream", "llm-tools", "llm-probe", "llm-cost", "llm-serve"]
    static let toolSections = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT",
                               "FILES", "EXAMPLES", "SEE ALSO"]

    @Test func theManPagesAreWrittenFromTheToolsAsTheyAre() throws {
        let result = try run("/usr/bin/env", ["python3", Paths.packageRoot.appendingPathComponent("scripts/manpage.py").path,
                                              "--check", Paths.binDirectory.path, Self.path("man")])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test(arguments: tools.map { "man/\($0).1" } + ["man/llmkit.5"])
    func aPageRendersWithoutWarningsAndHasItsSections(_ page: String) throws {
        let result = try run("/usr/bin/env", ["man", "--warnings", "-l", Self.path(page)],
                             environment: ["MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat", "LANG": "C.UTF-8"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(page): \(result.stderr)")
        let headings = Set(result.stdout.split(separator: "\n").filter { $0.first?.isUppercase == true }.map(String.init))
        let wanted = page.hasSuffix(".1") ? Self.toolSections : ["NAME", "CONFIGURATION FILE", "TOOLS FILE", "AGENTS FILE", "SEE ALSO"]
        for section in wanted {
            #expect(headings.contains(section), "\(page) has no \(section) section")
        }
    }

    /// Every flag of every command and subcommand is on the man page and in each completion script.
    @Test(arguments: tools) func everyFlagIsInTheManPageAndTheCompletions(_ tool: String) throws {
        let page = try String(contentsOfFile: Self.path("man/\(tool).1"), encoding: .utf8)
        let completions = try ["\(tool).bash", "_\(tool)", "\(tool).fish"].map {
            try String(contentsOfFile: Self.path("completions/\($0)"), encoding: .utf8)
        }
        let flags = try Self.longFlags(of: Self.dump(tool))
        #expect(flags.contains("model") || tool != "llm-complete")
        for flag in flags {
            let onPage = page.contains("\\-\\-\(flag)")
            let inBash = completions[0].contains("--\(flag)"), inZsh = completions[1].contains("--\(flag)")
            let inFish = completions[2].contains("-l \(flag)") || completions[2].contains("-l '\(flag)'")
            #expect(onPage, "\(tool).1 does not document --\(flag)")
            #expect(inBash, "\(tool).bash does not complete --\(flag)")
            #expect(inZsh, "_\(tool) does not complete --\(flag)")
            #expect(inFish, "\(tool).fish does not complete --\(flag)")
        }
    }

    /// An option's default is said once, by the parser: help text that says it again drifts
    /// from the real default the day one of them changes.
    @Test(arguments: tools) func noOptionStatesItsDefaultTwice(_ tool: String) throws {
        let page = try String(contentsOfFile: Self.path("man/\(tool).1"), encoding: .utf8)
        for line in page.split(separator: "\n") where line.components(separatedBy: "(default").count > 2 {
            Issue.record("\(tool).1 says a default twice: \(line)")
        }
    }

    /// The committed completion scripts are the ones the tool writes now.
    @Test(arguments: tools) func theCompletionsAreWrittenFromTheToolAsItIs(_ tool: String) throws {
        for (shell, file) in [("bash", "\(tool).bash"), ("zsh", "_\(tool)"), ("fish", "\(tool).fish")] {
            let generated = try run(tool, ["--generate-completion-script", shell])
            let committed = try String(contentsOfFile: Self.path("completions/\(file)"), encoding: .utf8)
            #expect(generated.stdout == committed, "completions/\(file) is out of step with \(tool) (run make completions)")
        }
    }

    /// Every status an Exit status section lists, and every one in the README's table, is one
    /// the tools use.
    @Test func everyDocumentedExitStatusExists() throws {
        var listed: [(String, Int32)] = []
        for tool in Self.tools {
            for discussion in try Self.discussions(of: Self.dump(tool)) {
                guard let table = discussion.components(separatedBy: "Exit status:\n").dropFirst().first else { continue }
                for row in table.split(separator: "\n") {
                    guard row.hasPrefix("  "), let code = Int32(row.split(separator: " ").first ?? "") else { break }
                    listed.append((tool, code))
                }
            }
            #expect(listed.contains { $0.0 == tool }, "\(tool) --help has no exit status table")
        }
        let readme = try String(contentsOfFile: Self.path("README.md"), encoding: .utf8)
        for row in readme.split(separator: "\n") where row.hasPrefix("| ") {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.count >= 2, let code = Int32(cells[0]) { listed.append(("README.md", code)) }
        }
        #expect(listed.contains { $0.0 == "README.md" }, "the README has no exit status table")
        for (place, code) in listed {
            #expect(ExitStatus(rawValue: code) != nil, "\(place) documents exit status \(code), which no tool uses")
        }
    }

    /// Every `--flag` the README shows is one of ours, or one of the other programs it
    /// shows beside them.
    @Test func everyFlagTheReadmeShowsExists() throws {
        let others: Set<String> = [
            "staged", "oneline",                              // git
            "no-display-prompt",                              // llama-cli, in a cmd runner
            "api",                                            // text-generation-webui
            "functions", "save",                              // llm, in "Coming from"
            "list-models", "prompt", "rag", "serve",          // aichat, in "Coming from"
        ]
        var ours = Set<String>()
        for tool in Self.tools { ours.formUnion(Self.longFlags(of: try Self.dump(tool))) }
        let readme = try String(contentsOfFile: Self.path("README.md"), encoding: .utf8)
        let regex = try NSRegularExpression(pattern: "(?<![\\w-])--([a-z][a-z0-9-]+)")
        let shown = Set(regex.matches(in: readme, range: NSRange(readme.startIndex..., in: readme)).compactMap {
            Range($0.range(at: 1), in: readme).map { String(readme[$0]) }
        })
        #expect(shown.count > 30)
        #expect(shown.subtracting(ours).subtracting(others).isEmpty, "the README shows flags no tool has: \(shown.subtracting(ours).subtracting(others).sorted())")
    }

    /// The LLMKIT_ variables the README and the man pages name are the ones the code reads or sets.
    @Test func everyDocumentedVariableExistsAndEveryVariableIsDocumented() throws {
        let sources = try Self.files(under: "Sources", ending: ".swift").map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        let inCode = Self.variables(in: sources)
        let readme = Self.variables(in: try String(contentsOfFile: Self.path("README.md"), encoding: .utf8))
        let pages = try Self.files(under: "man", ending: "").map { try String(contentsOfFile: $0, encoding: .utf8) }.joined()
        let inPages = Self.variables(in: pages.replacingOccurrences(of: "\\_", with: "_"))
        #expect(!inCode.isEmpty)
        #expect(readme.union(inPages).subtracting(inCode).isEmpty, "documented but not in the code: \(readme.union(inPages).subtracting(inCode))")
        #expect(inCode.subtracting(readme).isEmpty, "not in the README: \(inCode.subtracting(readme))")
        #expect(inCode.subtracting(inPages).isEmpty, "on no man page: \(inCode.subtracting(inPages))")
    }

    static func path(_ relative: String) -> String { Paths.packageRoot.appendingPathComponent(relative).path }

    static func dump(_ tool: String) throws -> JSONObject {
        let result = try run(tool, ["--experimental-dump-help"])
        return try #require(try JSONParser.parse(result.stdout).objectValue?["command"]?.objectValue)
    }

    static func commands(of command: JSONObject) -> [JSONObject] {
        let children = (command["subcommands"]?.arrayValue ?? []).compactMap(\.objectValue)
            .filter { $0["commandName"]?.stringValue != "help" }
        return [command] + children.flatMap(commands(of:))
    }

    static func longFlags(of command: JSONObject) -> Set<String> {
        var flags = Set<String>()
        for command in commands(of: command) {
            for argument in (command["arguments"]?.arrayValue ?? []).compactMap(\.objectValue) {
                guard argument["shouldDisplay"]?.boolValue != false else { continue }
                for name in (argument["names"]?.arrayValue ?? []).compactMap(\.objectValue) where name["kind"]?.stringValue == "long" {
                    if let name = name["name"]?.stringValue { flags.insert(name) }
                }
            }
        }
        return flags
    }

    static func discussions(of command: JSONObject) -> [String] {
        commands(of: command).compactMap { $0["discussion"]?.stringValue }
    }

    static func variables(in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "LLMKIT_[A-Z][A-Z_]*[A-Z]")
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    static func files(under directory: String, ending suffix: String) throws -> [String] {
        let root = path(directory)
        let enumerator = try #require(FileManager.default.enumerator(atPath: root))
        return enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) }.map { root + "/" + $0 }
            .filter { var isDirectory: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue }
    }
}
