#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation

/// Runs a program with no shell: argv as given, input on stdin, output captured.
///
/// Tools run arguments a model chose, so the runner is strict: the child gets its own
/// process group (a timeout kills everything it started), only the environment it is
/// given, default signal handling, and a cap on how much output is kept (the rest is read
/// and dropped, so a chatty child never blocks). Every spawn-related system call is here.
public enum ChildProcess {
    public struct Result: Sendable {
        /// The exit status, or `nil` if a signal ended the process.
        public var exitStatus: Int32?
        public var signal: Int32?
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var truncated: Bool
        public var timedOut: Bool
        /// `onOutput` asked to stop, or the output passed its limit with `stopAtLimit`: the
        /// process was ended early.
        public var stopped = false
        public var duration: Duration
    }

    /// Bytes kept beyond an output limit: longer than any key.
    static let maskingSlack = 4096

    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Where `program` runs from: itself if it is a path, else the first executable of that
    /// name on `path` (a `PATH` value); nil when there is none.
    public static func locate(_ program: String, path: String?) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        return (path ?? "/usr/bin:/bin").split(separator: ":").map { "\($0)/\(program)" }.first { access($0, X_OK) == 0 }
    }

    /// `onOutput` sees each piece of stdout as it is read (a model runner's reply, streamed),
    /// which is kept in the result too; returning `false` ends the process. With
    /// `stopAtLimit`, output past `outputLimit` ends it as well, instead of being read and
    /// dropped until it finishes.
    public static func run(
        _ argv: [String], environment: [String: String], input: [UInt8] = [], directory: String? = nil,
        timeout: Double, outputLimit: Int, stopAtLimit: Bool = false, onOutput: (@Sendable (ArraySlice<UInt8>) -> Bool)? = nil
    ) async throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = await withCheckedContinuation { continuation in
            // Blocking work on its own thread, not on the concurrency pool.
            Thread.detachNewThread {
                continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in
                    try runBlocking(argv, environment: environment, input: input, directory: directory,
                                    timeout: timeout, outputLimit: outputLimit, stopAtLimit: stopAtLimit, onOutput: onOutput)
                })
            }
        }
        return try outcome.get()
    }

    /// `run`, waiting on the calling thread: for a child needed before anything else can
    /// happen (`api_key_cmd`).
    public static func runAndWait(
        _ argv: [String], environment: [String: String], input: [UInt8] = [], directory: String? = nil,
        timeout: Double, outputLimit: Int
    ) throws(Failure) -> Result {
        try runBlocking(argv, environment: environment, input: input, directory: directory, timeout: timeout, outputLimit: outputLimit)
    }

    private static func runBlocking(
        _ argv: [String], environment: [String: String], input: [UInt8], directory: String?,
        timeout: Double, outputLimit: Int, stopAtLimit: Bool = false, onOutput: (@Sendable (ArraySlice<UInt8>) -> Bool)? = nil
    ) throws(Failure) -> Result {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        guard llmkit_pipe_cloexec(&stdinPipe) == 0, llmkit_pipe_cloexec(&stdoutPipe) == 0, llmkit_pipe_cloexec(&stderrPipe) == 0 else {
            throw Failure(message: "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let start = ContinuousClock.now
        let marker = ProcessTree.newMarker()
        var environment = environment
        environment[ProcessTree.markerVariable] = marker
        let pid: pid_t
        ProcessTree.callStarting()
        do throws(Failure) {
            pid = try spawn(argv, environment: environment, directory: directory,
                            stdin: stdinPipe[0], stdout: stdoutPipe[1], stderr: stderrPipe[1])
        } catch {
            ProcessTree.callFailedToStart()
            [stdinPipe[0], stdinPipe[1], stdoutPipe[0], stdoutPipe[1], stderrPipe[0], stderrPipe[1]].forEach { close($0) }
            throw error
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        ProcessTree.callStarted(pid)

        // Input goes in from its own thread: a tool that never reads stdin must not stall us.
        let writer = stdinPipe[1]
        Thread.detachNewThread {
            input.withUnsafeBytes { _ = FileDescriptorIO.writeAll(writer, $0) }
            close(writer)
        }

        var out: [UInt8] = [], err: [UInt8] = []
        var truncated = false, timedOut = false, stopped = false
        var status: Int32 = 0
        var reaped = false
        var fds = [pollfd(fd: stdoutPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: stderrPipe[0], events: Int16(POLLIN), revents: 0)]
        var deadline = start + .seconds(min(timeout, RequestOptions.maxSeconds))
        var buffer = [UInt8](repeating: 0, count: 65536)
        reading: while fds.contains(where: { $0.fd >= 0 }) {
            // A program that exits but leaves a daemon holding its output open is done: what
            // it wrote is read for a moment longer, then the rest is cut off.
            if !reaped, waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                deadline = min(deadline, .now + .milliseconds(200))
            }
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                timedOut = !reaped
                break
            }
            let ms = Int32(min(left / .milliseconds(1) + 1, reaped ? 50 : 100))
            guard poll(&fds, nfds_t(fds.count), ms) >= 0 || errno == EINTR else { break }
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(fds[i].fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    continue
                }
                // A little more than the limit is kept, so that a key across the cut is
                // whole when the output is masked, and only then cut (`ToolOutput`).
                let room = max(0, outputLimit + Self.maskingSlack - (i == 0 ? out.count : err.count))
                if n > room || (i == 0 && out.count + n > outputLimit) { truncated = truncated || i == 0 }
                let kept = buffer[..<min(n, room)]
                if i == 0 { out.append(contentsOf: kept) } else { err.append(contentsOf: kept) }
                if i == 0, let onOutput, !kept.isEmpty, !onOutput(kept) { stopped = true }
                if i == 0, stopAtLimit, truncated { stopped = true }
                if stopped { break reading }
            }
        }
        for fd in fds where fd.fd >= 0 { close(fd.fd) }
        // Output is done; the process may still be exiting. Reap it within the deadline.
        while !reaped, !timedOut, !stopped {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { reaped = true; break }
            if r < 0 && errno != EINTR { break }
            if ContinuousClock.now >= deadline { timedOut = true; break }
            usleep(1000)
        }
        // Everything the call started goes with it: its group, and descendants that left it.
        ProcessTree.end(leader: pid, marker: marker)
        if !reaped { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
        let exited = status & 0x7f == 0
        return Result(exitStatus: exited ? (status >> 8) & 0xff : nil, signal: exited ? nil : status & 0x7f,
                      stdout: out, stderr: err, truncated: truncated, timedOut: timedOut, stopped: stopped, duration: ContinuousClock.now - start)
    }
}

extension ChildProcess {
    /// A long-running child (an MCP server): its stdin and stdout stay open for a protocol,
    /// and its stderr is a pipe of its own, for the caller to keep or pass on.
    public struct Session: Sendable {
        public let pid: Int32
        let marker: String
        /// Write end of the child's stdin.
        public let input: Int32
        /// Read end of the child's stdout.
        public let output: Int32
        /// Read end of the child's stderr.
        public let errors: Int32

        /// Whether the child has ended (it is not reaped here).
        public var hasExited: Bool { ending != nil }

        /// How the child ended, if it has: its exit status, or the signal that ended it.
        /// It is not reaped here.
        public var ending: (exitStatus: Int32?, signal: Int32?)? {
            var info = siginfo_t()
            guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid else { return nil }
            let code = info._sifields._sigchld.si_status
            return info.si_code == CLD_EXITED ? (code, nil) : (nil, code)
        }

        /// How the child ended ("exit status 3", "signal 9"), if it has; it is not reaped.
        public var exitDescription: String? {
            ending.map { $0.exitStatus.map { "exit status \($0)" } ?? "signal \($0.signal ?? 0)" }
        }

        /// Kills the child, everything it started, and reaps it.
        public func stop() {
            close(input)
            end()
        }

        /// `stop`, for a caller that has handed the child's descriptors to someone else
        /// (an event loop), which closes them.
        public func end() {
            ProcessTree.disown(pid)
            ProcessTree.endSession(pid, marker: marker)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }

    /// Starts `argv` with piped stdin, stdout and stderr — or, with `sharedTerminal`, in our
    /// own process group with our stderr, so that Ctrl-C reaches it and what it says is seen
    /// (the model step of a loop is the user's own command).
    public static func start(_ argv: [String], environment: [String: String], directory: String?,
                             sharedTerminal: Bool = false) throws(Failure) -> Session {
        var stdinPipe: [Int32] = [0, 0], stdoutPipe: [Int32] = [0, 0], stderrPipe: [Int32] = [0, 0]
        guard llmkit_pipe_cloexec(&stdinPipe) == 0, llmkit_pipe_cloexec(&stdoutPipe) == 0, llmkit_pipe_cloexec(&stderrPipe) == 0 else {
            throw Failure(message: "cannot create pipes: \(String(cString: strerror(errno)))")
        }
        let marker = ProcessTree.newMarker()
        var environment = environment
        environment[ProcessTree.markerVariable] = marker
        let pid: pid_t
        ProcessTree.callStarting()
        do throws(Failure) {
            pid = try spawn(argv, environment: environment, directory: directory, stdin: stdinPipe[0], stdout: stdoutPipe[1],
                            stderr: sharedTerminal ? 2 : stderrPipe[1], ownGroup: !sharedTerminal)
        } catch {
            ProcessTree.callFailedToStart()
            (stdinPipe + stdoutPipe + stderrPipe).forEach { close($0) }
            throw error
        }
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        ProcessTree.sessionStarted(pid)
        return Session(pid: pid, marker: marker, input: stdinPipe[1], output: stdoutPipe[0], errors: stderrPipe[0])
    }

    /// Starts `argv` on the given descriptors (stderr to /dev/null when `nil`) in a new
    /// process group, with default dispositions for the signals we handle or ignore (an
    /// ignored SIGPIPE would be inherited across exec), nothing blocked, and no other
    /// descriptor open.
    private static func spawn(_ argv: [String], environment: [String: String], directory: String?,
                              stdin: Int32, stdout: Int32, stderr: Int32?, ownGroup: Bool = true) throws(Failure) -> pid_t {
        guard let program = argv.first else { throw Failure(message: "the command is empty") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        if let stderr {
            posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        llmkit_spawn_addclosefrom(&actions, 3)
        if let directory { llmkit_spawn_addchdir(&actions, directory) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16((ownGroup ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = program.contains("/")
            ? posix_spawn(&pid, program, &actions, &attributes, cArgs, cEnv)
            : posix_spawnp(&pid, program, &actions, &attributes, cArgs, cEnv)
        guard spawned == 0 else { throw Failure(message: "cannot run \(program): \(String(cString: strerror(spawned)))") }
        return pid
    }
}
