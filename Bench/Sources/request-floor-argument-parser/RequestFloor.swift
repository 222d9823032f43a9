import ArgumentParser
import CRequestFloor
import Foundation

/// llm-complete's command line in shape (an option group of the same flags, of the same
/// kinds, with the same root flags around it), so its parse does the same reflection and
/// type lookups as llm-complete's; it has no help texts and is not async (llm-complete
/// parses before any task exists too). The run only sends the prompt to --api-base.
/// `request-floor-argument-parser -m p/MODEL --api-base URL PROMPT`.
@main
struct RequestFloor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request-floor-argument-parser",
        abstract: "One request, after parsing a command line of llm-complete's shape.",
        version: "1"
    )

    @OptionGroup var options: Options
    @Flag var batchAPI = false
    @Flag var detach = false
    @Option var resume: String?
    @Option var pollInterval: Double = 30

    func validate() throws {
        guard pollInterval >= 0.05 else { throw ValidationError("--poll-interval is too short") }
    }

    func run() throws {
        guard let base = options.apiBase, let model = options.model?.split(separator: "/").last else {
            throw ValidationError("-m and --api-base are needed")
        }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
        let prompt = options.prompt.joined(separator: " ")
        let body = #"{"model":"\#(model)","messages":[{"role":"user","content":"\#(prompt)"}]}"#
        let status = request_floor_post(base + "/chat/completions", body)
        FileHandle.standardError.write(Data(home.utf8.prefix(0)))
        Foundation.exit(status)
    }
}

struct Options: ParsableArguments {
    @Argument var prompt: [String] = []
    @Option(name: .shortAndLong) var model: String?
    @Option(name: .shortAndLong) var system: String?
    @Option var temperature: Double?
    @Option var maxTokens: Int?
    @Option var stop: [String] = []
    @Option var seed: Int?
    @Option var schema: String?
    @Option var tools: String?
    @Option var timeout: Double?
    @Option var idleTimeout: Double?
    @Option var apiBase: String?
    @Option var mockScript: String?
    @Option var config: String?
    @Option(name: .shortAndLong) var jobs: Int = 1
    @Option var tag: String?
    @Option var retries: Int = 2
    @Option var fallback: [String] = []
    @Option var route: String?
    @Flag var offline = false
    @Flag var explain = false
    @Flag var retryPartial = false
    @Flag(name: .shortAndLong) var text = false
    @Flag var dryRun = false
    @Flag var listProviders = false
    @Flag(name: .shortAndLong) var verbose = false

    func validate() throws {
        guard jobs >= 1, retries >= 0 else { throw ValidationError("--jobs and --retries are out of range") }
    }
}
