#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation

/// Finds and kills a tool's descendants, including those that left its process group
/// (`setsid`, a double fork).
///
/// Killing the group misses a child that made a session of its own; once its parent dies
/// it is re-parented — to init, unless this process is a child subreaper, in which case it
/// becomes our child and can still be found. Each spawn carries a marker variable
/// (`LLMKIT_CALL`), so an orphan is traced back to the call that started it through
/// `/proc/PID/environ`; a descendant that clears its environment is still ended with
/// llm-tools itself (`killAllDescendants`).
public enum ProcessTree {
    public static let markerVariable = "LLMKIT_CALL"

    /// Makes this process the reaper of its orphaned descendants. For the executables.
    @discardableResult
    public static func becomeSubreaper() -> Bool { llmkit_set_child_subreaper() == 0 }

    /// Other processes of the same user can no longer read this one's memory or environment
    /// (where the keys are). For the executables.
    @discardableResult
    public static func makeNonDumpable() -> Bool { llmkit_set_nondumpable() == 0 }

    /// A marker unique to one spawn in this process.
    static func newMarker() -> String {
        "\(getpid()).\(counter.add(1))"
    }
    private static let counter = Counter()

    /// Ends a finished or timed-out call: its process group, every descendant of `leader`
    /// still attached to it, and every child of ours that carries the call's `marker`,
    /// with their descendants. Reaps what it killed that was ours. Bounded: a few rounds.
    static func end(leader: pid_t, marker: String) {
        kill(-leader, SIGKILL)
        let me = getpid()
        for _ in 0..<8 {
            let table = snapshot()
            var targets = Set(descendants(of: leader, in: table))
            for (pid, parent) in table where parent == me && pid != leader && carries(pid, marker: marker) {
                targets.insert(pid)
                targets.formUnion(descendants(of: pid, in: table))
            }
            guard !targets.isEmpty else { return }
            for pid in targets { kill(pid, SIGKILL) }
            reap(targets.filter { table[$0] == me })
        }
    }

    /// Kills every descendant of this process: for llm-tools ending, normally or on a signal.
    public static func killAllDescendants() {
        let me = getpid()
        for _ in 0..<8 {
            let table = snapshot()
            let targets = descendants(of: me, in: table)
            guard !targets.isEmpty else { return }
            for pid in targets { kill(pid, SIGKILL) }
            reap(targets.filter { table[$0] == me })
        }
    }

    /// pid → parent pid, for every process visible in /proc.
    static func snapshot() -> [pid_t: pid_t] {
        var table: [pid_t: pid_t] = [:]
        guard let directory = opendir("/proc") else { return table }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let parent = parentPID(of: pid) else { continue }
            table[pid] = parent
        }
        return table
    }

    /// From /proc/PID/stat: `pid (comm) state ppid …`, where comm may hold spaces and parens.
    private static func parentPID(of pid: pid_t) -> pid_t? {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return nil }
        return pid_t(String(decoding: fields[1], as: UTF8.self))
    }

    static func descendants(of root: pid_t, in table: [pid_t: pid_t]) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for (pid, parent) in table { children[parent, default: []].append(pid) }
        var found: [pid_t] = []
        var queue = children[root] ?? []
        while let pid = queue.popLast() {
            found.append(pid)
            queue.append(contentsOf: children[pid] ?? [])
        }
        return found
    }

    private static func carries(_ pid: pid_t, marker: String) -> Bool {
        guard let environ = readSmallFile("/proc/\(pid)/environ", limit: 1 << 20) else { return false }
        let wanted = Array("\(markerVariable)=\(marker)".utf8)
        return environ.split(separator: 0).contains { $0.elementsEqual(wanted) }
    }

    /// Waits (briefly) for killed children of ours, so none is left a zombie.
    private static func reap(_ pids: [pid_t]) {
        let deadline = ContinuousClock.now + .milliseconds(500)
        var left = pids
        while !left.isEmpty, ContinuousClock.now < deadline {
            left.removeAll { pid in
                var status: Int32 = 0
                let r = waitpid(pid, &status, WNOHANG)
                return r == pid || (r < 0 && errno == ECHILD)
            }
            if !left.isEmpty { usleep(1000) }
        }
    }

    private static func readSmallFile(_ path: String, limit: Int = 4096) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[..<n])
        }
        return bytes
    }
}

/// A process-wide counter for markers.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ n: Int) -> Int { lock.withLock { value += n; return value } }
}
