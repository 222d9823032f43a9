import ArgumentParser

/// A tool's root command. Its `main` parses the command line before any task exists, so
/// `--help`, `--version` and usage errors never start the concurrency runtime; then it runs
/// the command on the main thread (`CallingThreadExecutor`), or on the runtime's pool when
/// `runsOnPool` says so (a server's connections want both cores).
public protocol LLMCommand: AsyncParsableCommand {
    static var runsOnPool: Bool { get }
}

extension LLMCommand {
    public static var runsOnPool: Bool { false }

    public static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // A lone `--version`, `--help` or `-h` is answered without parsing: the parser
        // reflects over every option of the command to find that out, which is most of what
        // such a run costs (make bench: startup).
        if arguments == ["--version"] {
            print(configuration.version)
            return
        }
        // What a person types for help must never become a prompt to a (paid) model: a lone
        // `help` prints the help where no `help` subcommand exists. `-- help` still asks.
        if arguments == ["--help"] || arguments == ["-h"] || (configuration.subcommands.isEmpty && arguments == ["help"]) {
            print(helpMessage())
            return
        }
        let parsed: ParsableCommand
        do {
            parsed = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        guard let command = parsed as? AsyncParsableCommand else {
            // Built-in commands (`help`) are synchronous.
            var command = parsed
            do { try command.run() } catch { exit(withError: error) }
            return
        }
        let body: () async -> Void = {
            var command = command
            do { try await command.run() } catch { exit(withError: error) }
        }
        if runsOnPool {
            PoolRun.run(body)
        } else {
            CallingThreadExecutor.run(body)
        }
    }
}

/// Runs `body` on the runtime's pool while the calling thread waits for it to return.
private enum PoolRun {
    static func run(_ body: sending @escaping () async -> Void) {
        let done = ThreadSemaphore()
        Task {
            await body()
            done.signal()
        }
        done.wait()
    }
}
