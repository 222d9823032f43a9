import ArgumentParser
import Foundation
import LLMCommandLine
import LLMKit
import LLMServer

@main
struct LLMServe: LLMCommand {
    /// Connections are served on both cores.
    static let runsOnPool = true

    static let configuration = CommandConfiguration(
        commandName: "llm-serve",
        abstract: "Serve llmkit pipelines and models as OpenAI-compatible models.",
        discussion: """
            Each agent of the agents file is a model that the openai SDKs, Open WebUI, \
            LibreChat, editors and curl can use: GET /v1/models lists them (GET \
            /v1/models/ID describes one), POST /v1/chat/completions answers, streamed or not, \
            in OpenAI's shapes. GET /health answers without a key; GET /metrics is in \
            Prometheus's text format. Every error, on every route, is an OpenAI error body.

            agents.yaml:
              agents:
                - name: researcher              # the model id clients see
                  description: Answers with file tools
                  command: [llm-tools, loop, -f, tools.yaml, --, llm-stream, -m, ollama/qwen3]
                  workdir: sessions/{user}      # one directory per user, made on demand
                  show_steps: true              # tool turns shown as text
                  tasks: local                  # Open WebUI's title/tag requests go here
                - name: summarizer              # no command: answered in process
                  model: openai/gpt-4o-mini
                  system: "Summarize in three bullet points."
                - name: proxy
                  model: local                  # a config alias: routing and fallbacks apply
                  passthrough: true             # the client's tools go to the model

            A command agent runs once per request, in a process group of its own, with the \
            request on stdin as records: a tools record (only with client_tools: true), an \
            options record (temperature, max_tokens, stop, seed, response_format), then the \
            messages. Its delta records are streamed to the client as they come, and its \
            last assistant message is the reply; an error record or a failing exit becomes \
            an OpenAI error with the matching status and code, in words that name nothing of \
            the server (no host, port, path or variable): what the agent said is in the \
            access log. LLMKIT_USER, LLMKIT_AGENT and LLMKIT_CHAT name the user, the agent and \
            the chat, as tokens safe in paths and shells. Other keys: system (replaces every \
            system and developer message of the client's), timeout (seconds), client_tools, \
            and for model agents tools (a tools file run in process) and max_turns. Relative \
            paths are relative to the agents file: workdir, tools, a command's program when \
            it holds a /, and a command's argument that names a file beside the agents file.

            Users: a key from --keys with a user after it is that user; otherwise the \
            --user-header header (Open WebUI's X-OpenWebUI-User-Id, sent with \
            ENABLE_FORWARD_USER_INFO_HEADERS=true), else the body's "user", else _anonymous. \
            Without keys, only a client on this machine names its user that way; with them, \
            no one names a user a key is bound to but that key (403). A long id's token is a \
            readable prefix and a hash of the whole id.

            Keys: with --api-key-env or --keys, every request but /health needs \
            Authorization: Bearer KEY (401 otherwise); a key has at least 16 characters. A \
            host other than loopback needs a key unless --no-auth says otherwise. Keys are \
            never logged, and never passed to commands. SIGHUP reads --keys again.

            Browsers: a web page in your browser can send requests here too, so the Host \
            must be a loopback name, an address, --host or an --allow-host name (else 421), \
            a request with an Origin must come from a --cors-origin page (else 403; those \
            get CORS answers), and a POST must be Content-Type: application/json (else 415).

            Limits: --max-concurrent requests at once (the next gets 429 with Retry-After), \
            --max-body bytes (413), --timeout seconds per request (504; the command's process \
            group is killed). A client that disconnects ends its command at once. Each \
            connection has --header-timeout for a request's head, --body-timeout between \
            reads of its body (and 30 s for the whole body, then 408), and --idle-timeout \
            between requests and while a reply waits on a client that is not reading it; \
            past --max-connections, a new connection gets 503 and is closed. A request \
            without exactly one Host, or bytes that are not HTTP, get 400.

            Signals: SIGTERM or SIGINT stops accepting, lets requests in flight finish for \
            --grace seconds, ends the rest and exits 0. SIGHUP reloads the agents file and \
            the --keys file; one that does not load is reported and the old one kept.

            Open WebUI: Admin Settings > Connections > OpenAI API, URL \
            http://HOST:PORT/v1 and one of the keys.

            Examples:
              llm-serve -f agents.yaml
              LLMSERVE_KEY=$(openssl rand -hex 24) llm-serve -f agents.yaml --host 0.0.0.0 --api-key-env LLMSERVE_KEY
              curl -N localhost:8000/v1/chat/completions -H 'Content-Type: application/json' \\
                -d '{"model":"researcher","stream":true,"messages":[{"role":"user","content":"hi"}]}'

            \(HelpTable.exitStatus([
                (.success, "stopped by SIGTERM or SIGINT, after the grace period"),
                (.usage, "bad command line, or a public --host without a key or --no-auth"),
                (.ioError, "cannot listen on --host and --port"),
                (.permission, "--api-key-env names a variable that is not set"),
                (.configuration, "the agents file, a tools file it names, the keys file or the config cannot be used"),
            ]).text)

            \(HelpTable("Environment", SharedHelp.configEnvironment + [
                .init("LLMKIT_TIMEOUT", "model agents: seconds per request to the model"),
                .init("LLMKIT_API_BASE", "model agents: the server's URL, instead of the provider's"),
                .init("OPENAI_API_KEY, ...", "model agents: a provider's key (commands get the environment too)"),
                .init("--api-key-env NAME", "the variable holding the clients' key; removed from the commands' environment"),
                .init("LLMKIT_USER", "set for commands: the user, as a token safe in paths and shells"),
                .init("LLMKIT_AGENT", "set for commands: the agent's name"),
                .init("LLMKIT_CHAT", "set for commands: the chat's id, when the client sends one"),
            ]).text)

            \(HelpTable("Files", [
                .init("agents.yaml", "the agents file given with -f (see llmkit(5)); reloaded on SIGHUP"),
                .init("--keys FILE", "client keys, one per line: KEY [USER]; mode 600; reloaded on SIGHUP"),
                SharedHelp.configFile,
            ]).text)
            """,
        version: LLMKitVersion.current
    )

    @Option(name: [.customShort("f"), .customLong("agents")], help: ArgumentHelp("The agents file (YAML).", valueName: "file"))
    var agents: String

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port, said on stderr).")
    var port = 8000

    @Option(help: ArgumentHelp("The environment variable that holds the key clients must send.", valueName: "name"))
    var apiKeyEnv: String?

    @Option(help: ArgumentHelp("A file of keys, one per line, each optionally followed by the user it belongs to (mode 600).", valueName: "file"))
    var keys: String?

    @Flag(help: "Serve an address other than loopback with no key.")
    var noAuth = false

    @Option(help: "Chat requests answered at once; more get 429.")
    var maxConcurrent = 16

    @Option(help: "Connections open at once; more are answered 503 and closed.")
    var maxConnections = 1024

    @Option(help: ArgumentHelp("Seconds a client has to send a request's whole head; then the connection is closed.", valueName: "seconds"))
    var headerTimeout = 10.0

    @Option(help: ArgumentHelp("Seconds a client may pause while sending a body; then the connection is closed.", valueName: "seconds"))
    var bodyTimeout = 10.0

    @Option(help: ArgumentHelp("Seconds a kept-alive connection may sit with no request, or a reply wait on a client that does not read it.", valueName: "seconds"))
    var idleTimeout = 30.0

    @Option(name: .customLong("allow-host"), help: ArgumentHelp("Another name clients call the server by (repeatable; * for any).", valueName: "name"))
    var allowHosts: [String] = []

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp("A web page's origin allowed to call the server from a browser, as scheme://host[:port] (repeatable).", valueName: "origin"))
    var corsOrigins: [String] = []

    @Option(help: ArgumentHelp("The largest request body, in bytes; larger gets 413.", valueName: "bytes"))
    var maxBody = 4 << 20

    @Option(help: ArgumentHelp("Seconds a request may take (an agent's own timeout wins); then 504.", valueName: "seconds"))
    var timeout = 600.0

    @Option(help: ArgumentHelp("Seconds requests in flight get to finish after SIGTERM.", valueName: "seconds"))
    var grace = 30.0

    @Option(help: "The access log's format on stderr: text or json.")
    var logFormat = "text"

    @Flag(help: "Put the user's last message and the reply in the access log.")
    var logContent = false

    @Option(help: ArgumentHelp("The header that names the user.", valueName: "name"))
    var userHeader = "X-OpenWebUI-User-Id"

    @Option(help: ArgumentHelp("The header that names the chat.", valueName: "name"))
    var chatHeader = "X-OpenWebUI-Chat-Id"

    @Option(help: ArgumentHelp("The llmkit config file for model agents.", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("The JSONL file of replies mock/script plays back (model agents).", valueName: "file"))
    var mockScript: String?

    @Option(help: "Retries after a rate limit, overload or server error (model agents).")
    var retries = 2

    @Flag(name: .shortAndLong, help: "Report more on stderr.")
    var verbose = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxConcurrent >= 1 else { throw ValidationError("--max-concurrent must be at least 1") }
        guard maxBody >= 1024 else { throw ValidationError("--max-body must be at least 1024 bytes") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        for (flag, value) in [("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout)] {
            guard value > 0, value <= RequestOptions.maxSeconds else { throw ValidationError("\(flag) must be a positive number of seconds") }
        }
        for origin in corsOrigins {
            guard let scheme = origin.split(separator: ":").first, ["http", "https"].contains(scheme.lowercased()), origin.contains("://"),
                  !origin.hasSuffix("/") else {
                throw ValidationError("--cors-origin takes an origin as a browser sends it: scheme://host[:port], no path (got \(origin))")
            }
        }
        guard timeout > 0, timeout <= RequestOptions.maxSeconds else { throw ValidationError("--timeout must be a positive number of seconds") }
        guard grace >= 0, grace <= RequestOptions.maxSeconds else { throw ValidationError("--grace must be 0 or more seconds") }
        guard ServeSettings.LogFormat(rawValue: logFormat) != nil else { throw ValidationError("--log-format must be text or json") }
        guard ServeSettings.isHeaderName(userHeader), ServeSettings.isHeaderName(chatHeader) else {
            throw ValidationError("--user-header and --chat-header must be HTTP header names")
        }
        guard retries >= 0 else { throw ValidationError("--retries cannot be negative") }
    }

    func run() async throws {
        FileDescriptorIO.ignoreSigpipe()
        // A parent may have left these blocked (test runners do); blocked, they would never
        // stop or reload the server.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        ProcessTree.makeNonDumpable()
        // Whatever a command leaves behind is ours to end.
        ProcessTree.becomeSubreaper()
        let log = Log(tool: "llm-serve", verbose: verbose)
        let status: ExitStatus
        do throws(LLMError) {
            let completer = try Completer.configured(configPath: config, mockScript: mockScript, flags: RequestOptions(), retries: retries, log: log)
            let server = try AgentServer(settings: try settings(), completer: completer)
            AgentServer.logToStandardError()
            do {
                try await server.run()
                status = .success
            } catch {
                throw LLMError(.ioError, "cannot serve on \(host):\(port): \(error)")
            }
        } catch {
            log.error(error)
            status = error.exitStatus
        }
        ProcessTree.killAllDescendants()
        Interruption.exit(status)
    }

    private func settings() throws(LLMError) -> ServeSettings {
        var settings = ServeSettings(agentsPath: agents)
        settings.host = host
        settings.port = port
        settings.noAuth = noAuth
        settings.maxConcurrent = maxConcurrent
        settings.maxConnections = maxConnections
        settings.headerTimeout = headerTimeout
        settings.bodyTimeout = bodyTimeout
        settings.idleTimeout = idleTimeout
        settings.allowedHosts = allowHosts
        settings.corsOrigins = corsOrigins
        settings.maxBodyBytes = maxBody
        settings.timeout = timeout
        settings.grace = grace
        settings.logFormat = ServeSettings.LogFormat(rawValue: logFormat) ?? .text
        settings.logContent = logContent
        settings.userHeader = userHeader
        settings.chatHeader = chatHeader
        settings.verbose = verbose
        var environment = ProcessInfo.processInfo.environment
        if let apiKeyEnv {
            guard let key = environment[apiKeyEnv], !key.isEmpty else {
                throw LLMError(.missingAPIKey, "--api-key-env \(apiKeyEnv): the variable is not set")
            }
            try settings.keys.add(key)
            // The server's key is not the commands' business.
            environment[apiKeyEnv] = nil
        }
        settings.keysFile = keys
        settings.environment = environment
        return settings
    }
}
