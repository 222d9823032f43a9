import Foundation
import LLMKit

/// The result of running one built tool.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    /// The test's deadline ran out and the tool was killed: it hung.
    var timedOut = false

    /// stdout parsed as JSON Lines.
    var records: [JSONObject] {
        stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }
    var lastRecord: JSONObject? { records.last }
}

/// Runs a built binary (or a program given by absolute path) with a clean environment: no keys or config from the developer's
/// own shell leak into a test. A tool still running after `timeout` seconds is killed, and the result says so, so a
/// hang fails the test instead of the suite.
func run(_ tool: String, _ arguments: [String], stdin: String? = "", environment extra: [String: String] = [:],
         timeout: Double = 120) throws -> CommandResult {
    let process = Process()
    process.executableURL = tool.hasPrefix("/") ? URL(fileURLWithPath: tool) : Paths.binary(tool)
    process.arguments = arguments
    let home = Paths.temporaryDirectory()
    var environment = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "HOME": home.path,
        "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
    ]
    environment.merge(extra) { $1 }
    process.environment = environment
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    // A tool that exits before reading its input must fail its test, not kill the runner.
    signal(SIGPIPE, SIG_IGN)
    try process.run()
    let watchdog = Watchdog(process, after: timeout)
    if let stdin {
        let handle = inPipe.fileHandleForWriting
        DispatchQueue.global().async {
            try? handle.write(contentsOf: Data(stdin.utf8))
            try? handle.close()
        }
    }
    // Read both pipes concurrently so a chatty stderr cannot block the child.
    let errData = DataBox()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async {
        errData.data = errPipe.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.data, as: UTF8.self),
                         timedOut: watchdog.fired)
}

/// Kills a process (and its group, if it leads one) once its time is up.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var didFire = false
    var fired: Bool { lock.withLock { didFire } }

    init(_ process: Process, after seconds: Double) {
        let pid = process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self, weak process] in
            guard let process, process.isRunning else { return }
            self?.lock.withLock { self?.didFire = true }
            // Its descendants too: one left holding the output pipe would keep the test
            // waiting for an end of file that never comes.
            for child in descendants(of: pid) { kill(child, SIGKILL) }
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
    }
}

/// Processes now running whose command line contains `text` (arguments joined by spaces):
/// read from /proc, so orphans that left every process group are found too.
func runningProcesses(containing text: String) -> [String] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { pid -> String? in
        guard Int(pid) != nil, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return line.contains(text) ? "\(pid): \(line)" : nil
    }
}

/// Written by one reader thread, read after it finished (the group wait orders them).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// When a tool's first output byte arrived, against when it finished.
struct FirstByteTiming {
    var status: Int32
    var first: Data
    var rest: Data
    var firstAt: TimeInterval
    var total: TimeInterval
}

/// Runs a built tool reading its stdout as it comes, to see whether output streams.
func timeFirstByte(_ tool: String, _ arguments: [String], environment: [String: String] = [:]) throws -> FirstByteTiming {
    let process = Process()
    process.executableURL = Paths.binary(tool)
    process.arguments = arguments
    process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { $1 }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    let start = Date()
    try process.run()
    let first = (try? out.fileHandleForReading.read(upToCount: 1)) ?? Data()
    let firstAt = Date().timeIntervalSince(start)
    let rest = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return FirstByteTiming(status: process.terminationStatus, first: first, rest: rest, firstAt: firstAt,
                           total: Date().timeIntervalSince(start))
}

/// Every process below `root`, by parent links in /proc.
func descendants(of root: pid_t) -> [pid_t] {
    var parents: [pid_t: pid_t] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = pid_t(entry), let stat = FileManager.default.contents(atPath: "/proc/\(entry)/stat"),
              let close = stat.lastIndex(of: UInt8(ascii: ")")) else { continue }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        if fields.count > 1, let parent = pid_t(String(decoding: fields[1], as: UTF8.self)) { parents[pid] = parent }
    }
    var found: [pid_t] = []
    var queue = [root]
    while let next = queue.popLast() {
        for (pid, parent) in parents where parent == next {
            found.append(pid)
            queue.append(pid)
        }
    }
    return found
}
