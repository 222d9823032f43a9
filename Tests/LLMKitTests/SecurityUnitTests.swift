import Foundation
@testable import LLMKit
import Testing

@Suite struct ParsedURLTests {
    @Test func hostIsWhatCurlConnectsTo() throws {
        let cases: [(String, String, Int)] = [
            ("http://evil.example#@api.example.com/", "evil.example", 80),
            ("http://api.example.com@evil.example/", "evil.example", 80),
            ("https://user:pw@API.Example.COM./v1", "api.example.com", 443),
            ("http://%65vil.example/", "evil.example", 80),
            ("http://[::1]:8080/v1", "::1", 8080),
            ("http://127.0.0.1:18777/v1", "127.0.0.1", 18777),
            ("HTTPS://Host.Example:8443", "host.example", 8443),
        ]
        for (text, host, port) in cases {
            let url = try ParsedURL(text)
            #expect(url.host == host, "\(text)")
            #expect(url.port == port, "\(text)")
        }
    }

    @Test func aMissingSchemeSaysWhatToWrite() {
        #expect(throws: URLProblem(url: "localhost:8080/v1", reason: "it has no scheme; write http://localhost:8080/v1 or https://localhost:8080/v1")) {
            try ParsedURL("localhost:8080/v1")
        }
    }

    @Test func onlyHTTPAndHTTPS() {
        for text in ["file:///etc/passwd", "gopher://x/", "ftp://host/", "dict://host/", "ldap://h/", "127.0.0.1:8080", "http://a b/", ""] {
            #expect(throws: URLProblem.self, "\(text)") { try ParsedURL(text) }
        }
    }
}

@Suite struct HostAllowListTests {
    func permits(_ patterns: [String], _ url: String) throws -> Bool {
        HostAllowList(patterns).permits(try ParsedURL(url))
    }

    @Test func namesWildcardsPortsAndLiterals() throws {
        #expect(try permits(["api.example.com"], "https://API.EXAMPLE.COM./x"))
        #expect(try !permits(["api.example.com"], "https://api.example.com.evil.example/"))
        #expect(try permits(["*.wikipedia.org"], "https://en.wikipedia.org/wiki/X"))
        #expect(try !permits(["*.wikipedia.org"], "https://wikipedia.org/"), "a wildcard needs a label")
        #expect(try !permits(["*.wikipedia.org"], "https://evilwikipedia.org/"))
        #expect(try permits(["127.0.0.1:8080"], "http://127.0.0.1:8080/"))
        #expect(try !permits(["127.0.0.1:8080"], "http://127.0.0.1:8081/"))
        #expect(try permits(["::1", "[::2]"], "http://[::1]:80/") && permits(["[::2]"], "http://[::2]/"))
        #expect(try !permits([], "http://127.0.0.1/"), "no hosts: none")
        #expect(try !permits(["*"], "http://127.0.0.1/"), "a bare * is not a way to allow everything by accident")
    }
}

@Suite struct StreamingRedactionTests {
    let key = "sk-test-0123456789abcdef"

    @Test func aKeySplitAtEveryPointIsMasked() {
        let text = "before " + key + " after"
        for cut in 1..<text.count {
            var scrubber = SecretScrubber(secrets: [key])
            let out = scrubber.feed(String(text.prefix(cut))) + scrubber.feed(String(text.dropFirst(cut))) + scrubber.finish()
            #expect(out == "before [REDACTED] after", "cut at \(cut): \(out)")
        }
    }

    @Test func aKeyInPiecesOfOneCharacter() {
        var scrubber = SecretScrubber(secrets: [key, "other-secret-value"])
        var out = ""
        for character in "x" + key + "y" + "other-secret-value" { out += scrubber.feed(String(character)) }
        out += scrubber.finish()
        #expect(out == "x[REDACTED]y[REDACTED]")
    }

    @Test func textIsHeldOnlyWhileItCouldBeAKey() {
        var scrubber = SecretScrubber(secrets: [key])
        #expect(scrubber.feed("hello ") == "hello ")
        #expect(scrubber.feed("sk-te") == "", "a possible start of the key waits")
        #expect(scrubber.feed("xt") == "sk-text", "and goes once it cannot be")
        #expect(scrubber.feed("s") == "")
        #expect(scrubber.finish() == "s", "the end releases what was held")
    }

    @Test func noSecretsMeansNoWork() {
        var scrubber = SecretScrubber(secrets: [])
        #expect(scrubber.feed("sk-anything") == "sk-anything")
        #expect(Redactor.redact(bytes: Array("plain".utf8)) == Array("plain".utf8))
    }
}

@Suite struct LineRegexTests {
    func matches(_ pattern: String, _ line: String) throws -> Bool {
        try LineRegex(pattern).matches(line, deadline: .now + .seconds(10))
    }

    @Test func commonSyntax() throws {
        #expect(try matches("sec(ond|ret)", "second line"))
        #expect(try !matches("^second", "a second"))
        #expect(try matches("line$", "second line"))
        #expect(try matches(#"\d{3}-\d{4}"#, "call 555-1234 now"))
        #expect(try !matches(#"\d{3}-\d{4}"#, "call 55-1234 now"))
        #expect(try matches(#"[A-Z][a-z]+\s+\w+"#, "hello Big world"))
        #expect(try matches("colou?r", "color") && matches("colou?r", "colour"))
        #expect(try matches("a.c", "abc") && !matches("a.c", "ac"))
        #expect(try matches("(?i)HELLO", "say hello"))
        #expect(try matches(#"\bcat\b"#, "a cat sat") && !matches(#"\bcat\b"#, "concat"))
        #expect(try matches("[^a-z]", "abc1") && !matches("[^a-z]", "abc"))
        #expect(try matches(#"\.swift$"#, "main.swift") && !matches(#"\.swift$"#, "mainxswift"))
        #expect(try matches("a{2,}", "caab") && !matches("a{2,}", "cab"))
        #expect(try matches("x*?y", "xxy"), "lazy quantifiers match like greedy ones for a yes/no")
        #expect(try matches("é+", "café"))
        #expect(try matches("", "anything"))
    }

    @Test func refusedSyntaxSaysWhy() {
        for pattern in ["(a", "a)", "[abc", #"(a)\1"#, "(?=a)", "a{99999}", "*a"] {
            #expect(throws: RegexProblem.self, "\(pattern)") { try LineRegex(pattern) }
        }
    }

    @Test func catastrophicPatternsRunInLinearTime() throws {
        let evil = String(repeating: "a", count: 100_000) + "!"
        let start = ContinuousClock.now
        #expect(try !matches("^(a+)+$", evil))
        #expect(try !matches("(a|aa)*c", evil))
        #expect(try !matches("(a*)*b", evil))
        #expect(ContinuousClock.now - start < .seconds(30), "backtracking, these never end")
    }

    @Test func aPassedDeadlineStopsTheMatch() throws {
        let regex = try LineRegex("(a|b)*c")
        #expect(throws: RegexProblem.timedOut) {
            try regex.matches(String(repeating: "ab", count: 100_000), deadline: .now - .seconds(1))
        }
    }
}

@Suite struct TerminalTextTests {
    @Test func controlsAreEscaped() {
        #expect(TerminalText.escaped("plain café ✓") == "plain café ✓")
        #expect(TerminalText.escaped("\u{1B}[2K\r\n\t\u{07}\u{7F}\u{9B}x") == #"\e[2K\r\n\t\x07\x7f\u{9b}x"#)
        #expect(TerminalText.escaped("\u{202E}evil") == #"\u{202e}evil"#, "bidi overrides reorder what is shown")
    }
}

@Suite struct UntrustedRecordTests {
    @Test(arguments: ["api_base", "base_url", "headers", "extra_headers", "api_key", "api_key_env", "api_key_cmd", "url"])
    func recordsCannotChooseWhereOrAsWhom(field: String) {
        let object: JSONObject = [field: "x", "temperature": 0.5]
        #expect(throws: LLMError.self, "\(field)") { try RequestOptions(json: object) }
    }

    @Test func configHeadersAreChecked() throws {
        for header in ["X-A: \"a\\r\\nX-B: c\"", "X-A: \"a\\nb\"", "X-A: \"a\\u0000b\"", "Authorization: Bearer x",
                       "PROXY-AUTHORIZATION: x", "\"X A\": y", "\"X:A\": y"] {
            #expect(throws: LLMError.self, "\(header)") {
                try ConfigLoader.parse("providers:\n  p:\n    api_base: http://127.0.0.1:1/v1\n    headers:\n      \(header)\n")
            }
        }
        let good = try ConfigLoader.parse("providers:\n  p:\n    api_base: http://127.0.0.1:1/v1\n    headers:\n      X-Title: llmkit\n")
        #expect(good.providers["p"]?.headers.first?.name == "X-Title")
    }

    @Test func configEndpointsMustBeHTTP() {
        #expect(throws: LLMError.self) { try ConfigLoader.parse("providers:\n  p:\n    api_base: file:///etc\n") }
    }
}

/// Both ways of resolving a path beneath the root: the kernel's (`openat2`) and the walk
/// that kernels without it get.
@Suite struct ConfinementTests {
    let root: String
    let outside: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("llmkit-confine-\(UUID().uuidString)").path
        root = base + "/root"
        outside = base + "/outside"
        for directory in [root + "/sub", outside] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        try "in".write(toFile: root + "/sub/file.txt", atomically: true, encoding: .utf8)
        try "out".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: root + "/link.txt", withDestinationPath: outside + "/secret.txt")
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
    }

    func read(_ confinement: Confinement, _ path: String) -> String {
        do {
            let fd = try confinement.openFile(path)
            defer { close(fd) }
            return try FileTools.text(of: fd, limit: 1 << 20, name: path) {}
        } catch {
            return "refused: \(error.message)"
        }
    }

    @Test(arguments: [true, false])
    func pathsStayBeneathTheRoot(kernel: Bool) throws {
        let confinement = try Confinement(root: root, kernelResolves: kernel)
        #expect(read(confinement, "sub/file.txt") == "in")
        #expect(read(confinement, "sub/../sub/./file.txt") == "in")
        #expect(read(confinement, root + "/sub/file.txt") == "in", "an absolute path inside the root")
        for escape in ["../outside/secret.txt", "sub/../../outside/secret.txt", "out/secret.txt", "link.txt", outside + "/secret.txt", "/etc/hostname"] {
            #expect(read(confinement, escape).hasPrefix("refused"), "\(escape) (kernel: \(kernel))")
        }
        #expect(read(confinement, "pipe").contains("not a regular file"), "a FIFO is looked at, not opened")
        #expect(throws: ToolFailure.self) { try confinement.openDirectory("out") }
        let fd = try confinement.openForWriting("sub/new.txt")
        close(fd)
        #expect(FileManager.default.fileExists(atPath: root + "/sub/new.txt"))
        #expect(throws: ToolFailure.self) { try confinement.openForWriting("out/new.txt") }
        #expect(!FileManager.default.fileExists(atPath: outside + "/new.txt"))
    }
}

@Suite struct RetryAfterTests {
    func response(_ value: String) -> HTTPResponse {
        HTTPResponse(status: 429, headers: [("retry-after", value)])
    }

    @Test func anHTTPDateIsHonoured() throws {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = TimeZone(identifier: "GMT")
        format.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let soon = try #require(HTTPErrorMapper.retryAfter(response(format.string(from: Date().addingTimeInterval(3)))))
        #expect(soon > 1 && soon <= 3.5, "\(soon)")
        let later = try #require(HTTPErrorMapper.retryAfter(response(format.string(from: Date().addingTimeInterval(30 * 86400)))))
        #expect(later > 86400)
        let error = LLMError(.rateLimited, "x", retryable: true, retryAfter: later)
        #expect(RetryPolicy(maxRetries: 2).delay(forAttempt: 0, error: error) == nil, "beyond the cap: give up at once")
        #expect(HTTPErrorMapper.retryAfter(response(format.string(from: Date().addingTimeInterval(-60)))) == 0, "a past date: now")
    }
}

@Suite struct LargeObjectTests {
    @Test func manyKeysParseInLinearTime() throws {
        let count = 200_000
        var text = "{"
        for i in 0..<count { text += (i == 0 ? "" : ",") + "\"k\(i)\":\(i)" }
        text += "}"
        let start = ContinuousClock.now
        let object = try #require(try JSONParser.parse(text).objectValue)
        #expect(object.count == count)
        #expect(object["k199999"] == 199999)
        #expect(object.keys.prefix(3) == ["k0", "k1", "k2"], "order is kept")
        #expect(ContinuousClock.now - start < .seconds(60), "quadratic in the number of keys: minutes")
        var copy = object
        copy["k5"] = nil
        #expect(copy["k5"] == nil && copy["k6"] == 6 && copy.count == count - 1)
        copy["new"] = "v"
        #expect(copy.keys.last == "new" && copy["new"] == "v")
    }

    @Test func sseEventsAndNDJSONLinesAreCapped() {
        var sse = SSEParser(limit: 1000)
        var events = 0
        let big = Array(("data: " + String(repeating: "x", count: 5000) + "\n\n").utf8)
        big.withUnsafeBytes { sse.feedViews($0) { _ in events += 1 } }
        #expect(events == 0 && sse.overflowed)
        var ndjson = NDJSONParser(limit: 1000)
        var lines = 0
        ndjson.feed(Array((String(repeating: "y", count: 5000) + "\n").utf8)) { _ in lines += 1 }
        #expect(lines == 0 && ndjson.overflowed)
    }
}

@Suite struct LineRegexBoundsTests {
    @Test func emptyRepeatsCannotMakeCompilingEndless() {
        let start = ContinuousClock.now
        #expect(throws: RegexProblem.self) { try LineRegex("((((){1000}){1000}){1000}){1000}") }
        #expect(throws: RegexProblem.self) { try LineRegex("(((){1000}){1000}){100}") }
        #expect(ContinuousClock.now - start < .seconds(20), "unbounded, this compile never ends")
    }

    @Test func thePatternLimitCountsScalars() {
        #expect(throws: RegexProblem.self) { try LineRegex("(?:[^" + String(repeating: "\u{0301}", count: 20_000) + "]){1000}Q") }
    }

    @Test func theDeadlineHoldsWhenEachCharacterIsExpensive() throws {
        var ranges = ""
        for i in 0..<500 { ranges += "\(Character(Unicode.Scalar(0x4E00 + i * 4)!))-\(Character(Unicode.Scalar(0x4E00 + i * 4 + 1)!))" }
        let regex = try LineRegex("(?:[" + ranges + "]){1000}Q")
        let line = String(repeating: Character(Unicode.Scalar(0x4E00 + 499 * 4)!), count: 3000)  // the last range: every check scans them all
        let start = ContinuousClock.now
        #expect(throws: RegexProblem.timedOut) { try regex.matches(line, deadline: .now + .milliseconds(300)) }
        #expect(ContinuousClock.now - start < .seconds(20), "checked every 1024 characters, this took 40 s")
    }
}
