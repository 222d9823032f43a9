#if canImport(Glibc)
import Glibc
#endif
import CLinux
import Foundation
import Synchronization

/// Finds and kills a tool's descendants, including those that left its process group
/// (`setsid`, a double fork).
///
/// Killing the group misses a child that made a session of its own; once its parent dies
/// it is re-parented — to init, unless this process is a child subreaper, in which case it
/// becomes our child and can still be found. Each spawn carries a marker variable
/// (`LLMKIT_CALL`), so an orphan is traced back to the call that started it through
/// `/proc/PID/environ`; one that cleared its environment is ended when no call is running
/// any more (every descendant that nothing owns), and at the latest with llm-tools itself.
///
/// The tree is walked through the kernel's per-task children lists, not a scan of all of
/// /proc: microseconds rather than milliseconds, so a process that keeps forking and
/// leaving its parent cannot outrun the walk. What is found is stopped before anything is
/// killed — a stopped process forks no more — until a walk finds nothing new.
public enum ProcessTree {
    public static let markerVariable = "LLMKIT_CALL"

    /// Makes this process the reaper of its orphaned descendants, and lets a call's end sweep
    /// every child that nothing owns. For the executables: a process embedding LLMKit (a
    /// server, the test runner) keeps children of its own that a sweep would kill.
    @discardableResult
    public static func becomeSubreaper() -> Bool {
        registry.withLock { $0.sweepsOrphans = true }
        return llmkit_set_child_subreaper() == 0
    }

    /// Other processes of the same user can no longer read this one's memory or environment
    /// (where the keys are). For the executables.
    @discardableResult
    public static func makeNonDumpable() -> Bool { llmkit_set_nondumpable() == 0 }

    private struct Registry {
        var markers = 0
        /// Children that live on purpose (MCP servers, the model step of a loop) and tool
        /// calls still running: neither they nor their descendants are swept.
        var owned: Set<pid_t> = []
        var callsRunning = 0
        var sweepsOrphans = false
    }
    private static let registry = Mutex(Registry())

    /// A marker unique to one spawn in this process.
    static func newMarker() -> String {
        "\(getpid()).\(registry.withLock { state -> Int in state.markers += 1; return state.markers })"
    }

    /// A long-lived child of ours (an MCP server, a model step) that sweeps leave alone.
    public static func own(_ pid: pid_t) { _ = registry.withLock { $0.owned.insert(pid) } }
    public static func disown(_ pid: pid_t) { _ = registry.withLock { $0.owned.remove(pid) } }

    /// A call counts as running from before its spawn, so that another call ending at that
    /// moment does not take the new leader for an orphan and sweep it.
    static func callStarting() { registry.withLock { $0.callsRunning += 1 } }
    static func callStarted(_ leader: pid_t) { own(leader) }
    static func callFailedToStart() { registry.withLock { $0.callsRunning -= 1 } }
    /// A long-lived child counts as a call while it is spawned, then is owned.
    static func sessionStarted(_ pid: pid_t) {
        registry.withLock { state in
            state.owned.insert(pid)
            state.callsRunning -= 1
        }
    }

    /// Ends a finished or timed-out call: its process group, every descendant of `leader`,
    /// every child of ours carrying the call's `marker` with its descendants, and — when no
    /// other call is running — every descendant that nothing owns. Reaps what was ours.
    static func end(leader: pid_t, marker: String) {
        kill(-leader, SIGKILL)
        registry.withLock { state in
            state.owned.remove(leader)
            state.callsRunning -= 1
        }
        let me = getpid()
        stopThenKill {
            var targets = Set(descendants(of: leader))
            let children = children(of: me)
            // Asked after the children are listed, at every walk: a call counts as running
            // from before its spawn, so one spawned in the meantime is never swept as an orphan.
            let (owned, sweep) = registry.withLock { ($0.owned, $0.sweepsOrphans && $0.callsRunning == 0) }
            for child in children where child != leader && !owned.contains(child) {
                guard sweep || carries(child, marker: marker) else { continue }
                targets.insert(child)
                targets.formUnion(descendants(of: child))
            }
            return targets
        }
    }

    /// Ends a long-lived child (an MCP server) and everything it started.
    static func endSession(_ pid: pid_t, marker: String) {
        ProcessTree.disown(pid)
        kill(-pid, SIGKILL)
        let me = getpid()
        stopThenKill {
            var targets = Set([pid] + descendants(of: pid))
            for child in children(of: me) where child != pid && carries(child, marker: marker) {
                targets.insert(child)
                targets.formUnion(descendants(of: child))
            }
            return targets
        }
    }

    /// Reaps children of ours that died and that nothing owns: a long-running subreaper
    /// (llm-serve) inherits the descendants of every command it ends, and each would stay
    /// a zombie, holding a process id, until it exits. Skipped while a spawn is under way,
    /// whose child is not yet owned.
    public static func reapOrphans() {
        let (owned, quiet) = registry.withLock { ($0.owned, $0.callsRunning == 0) }
        guard quiet else { return }
        for child in children(of: getpid()) where !owned.contains(child) && state(of: child) == "Z" {
            var status: Int32 = 0
            _ = waitpid(child, &status, WNOHANG)
        }
    }

    /// Kills every descendant of this process: for llm-tools ending, normally or on a signal.
    public static func killAllDescendants() {
        // Nothing was ever started here (the usual llm-complete run): nothing to walk for,
        // and the walk's two quiet passes would cost milliseconds at every exit.
        guard registry.withLock({ $0.markers > 0 || !$0.owned.isEmpty }) else { return }
        let me = getpid()
        stopThenKill { Set(descendants(of: me)) }
    }

    /// Stops what `targets` finds, again and again until a walk finds nothing new that is
    /// still alive (bounded: 2 s), then kills all of it and reaps what is ours.
    private static func stopThenKill(_ targets: () -> Set<pid_t>) {
        let deadline = ContinuousClock.now + .seconds(2)
        var stopped: Set<pid_t> = []
        var quietWalks = 0
        // The kernel's lists can miss a process that is being born or re-parented at that
        // moment: nothing is taken as over until two walks a millisecond apart find nothing.
        while ContinuousClock.now < deadline, quietWalks < 2 {
            let fresh = targets().subtracting(stopped).filter { state(of: $0).map { $0 != "Z" && $0 != "X" } ?? false }
            if fresh.isEmpty {
                quietWalks += 1
                usleep(1000)
                continue
            }
            quietWalks = 0
            for pid in fresh { kill(pid, SIGSTOP) }
            stopped.formUnion(fresh)
        }
        guard !stopped.isEmpty else { return }
        for pid in stopped { kill(pid, SIGKILL) }
        // Ours to reap: our children, and those whose parent died first (we are their
        // subreaper); `waitpid` passes over the rest.
        reap(Array(stopped))
    }

    /// Direct children, from the kernel's list for each of the process's threads.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let tasks = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(tasks) }
        var found: [pid_t] = []
        while let entry = readdir(tasks) {
            let tid = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard Int(tid) != nil, let list = readSmallFile("/proc/\(pid)/task/\(tid)/children", limit: 1 << 20) else { continue }
            found += list.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return found
    }

    static func descendants(of root: pid_t) -> [pid_t] {
        var found: [pid_t] = []
        var queue = children(of: root)
        var seen = Set(queue)
        while let pid = queue.popLast() {
            found.append(pid)
            for child in children(of: pid) where seen.insert(child).inserted { queue.append(child) }
        }
        return found
    }

    /// From /proc/PID/stat: `pid (comm) state …`, where comm may hold spaces and parens.
    static func state(of pid: pid_t) -> Character? {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: UInt8(ascii: ")")),
              close + 2 < stat.count else { return nil }
        return Character(Unicode.Scalar(stat[close + 2]))
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
