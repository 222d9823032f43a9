#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A spend ledger: one JSON line per run that spent anything, `{"created":…,"usd":…,"requests":…}`.
///
/// Cron jobs share one ledger, so a run holds an exclusive lock on it from reading the
/// total to appending its own entry: two runs at once neither lose nor double an entry,
/// and the second sees the first's spend before it checks a budget.
public struct Ledger: Sendable {
    public enum Period: String, Sendable, CaseIterable {
        case day, month, all

        /// "this month", for messages.
        public var phrase: String { self == .all ? "in all" : "this \(rawValue)" }
    }

    public let path: String
    /// How long to wait for another run's lock before giving up (exit 75).
    public var lockTimeout: Double = 30

    public init(path: String) {
        self.path = path
    }

    /// Appends this run's spend (unless it spent nothing) and returns the ledger's total
    /// for the `period` that holds `now`, this run included, and the number of a last line
    /// cut short by a crash, which was removed.
    public func append(usd: Double, requests: Int, period: Period, now: Date = Date()) throws(LLMError) -> (usd: Double, cutShort: Int?) {
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LLMError(.ioError, "cannot open ledger \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try lock(fd)
        let (total, endsInNewline, cutShort) = try read(fd, period: period, now: now)
        guard requests > 0 || usd > 0 else { return (total, cutShort) }
        guard usd.isFinite, usd >= 0 else { throw LLMError(.invalidInput, "a spend of \(usd) is not money: nothing entered in \(path)") }
        var entry: JSONObject = ["created": .int(Int(now.timeIntervalSince1970))]
        entry["usd"] = .double((usd * 1e8).rounded() / 1e8)
        entry["requests"] = .int(requests)
        // A whole entry with no newline after it (written by hand) gets its line ended.
        var bytes: [UInt8] = endsInNewline ? [] : [0x0A]
        entry.write(to: &bytes)
        bytes.append(0x0A)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw LLMError(.ioError, "cannot append to ledger \(path): \(String(cString: strerror(errno)))")
        }
        return (total + usd, cutShort)
    }

    /// The lock, waited for up to `lockTimeout`: a run never hangs on a stuck one.
    private func lock(_ fd: Int32) throws(LLMError) {
        let deadline = ContinuousClock.now + .milliseconds(Int(lockTimeout * 1000))
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw LLMError(.ioError, "cannot lock ledger \(path): \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now < deadline else {
                throw LLMError(.timeout, "ledger \(path) is locked by another run for over \(Int(lockTimeout)) s")
            }
            usleep(10_000)
        }
    }

    private func read(_ fd: Int32, period: Period, now: Date) throws(LLMError) -> (total: Double, endsInNewline: Bool, cutShort: Int?) {
        var last: UInt8 = 0x0A
        let size = lseek(fd, 0, SEEK_END)
        if size > 0 { _ = pread(fd, &last, 1, size - 1) }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw LLMError(.ioError, "cannot read ledger \(path)") }
        var reader = LineReader(fd: fd)
        var total = 0.0, number = 0, broken: Int?, brokenBytes = 0
        let current = Self.calendarKey(now, period)
        while let line = try reader.next() {
            number += 1
            guard !line.isEmpty else { continue }
            guard let entry = try? JSONParser.parse(line).objectValue, let created = entry["created"]?.intValue,
                  let usd = entry["usd"]?.doubleValue, usd.isFinite, usd >= 0 else {
                if let broken { throw Self.notAnEntry(path, broken) }
                broken = number
                brokenBytes = line.count
                continue
            }
            if let broken { throw Self.notAnEntry(path, broken) }
            if period == .all || Self.calendarKey(Date(timeIntervalSince1970: Double(created)), period) == current { total += usd }
        }
        // A crash mid-write leaves a last line with no newline: half an entry, whose spend
        // is unknown. It is cut off, under the lock, and the ledger goes on whole.
        if let broken {
            guard last != 0x0A else { throw Self.notAnEntry(path, broken) }
            guard ftruncate(fd, size - off_t(brokenBytes)) == 0 else { throw LLMError(.ioError, "cannot repair ledger \(path): \(String(cString: strerror(errno)))") }
            return (total, true, broken)
        }
        return (total, last == 0x0A, nil)
    }

    private static func notAnEntry(_ path: String, _ line: Int) -> LLMError {
        LLMError(.invalidInput, "ledger \(path) line \(line) is not a ledger entry ({\"created\":unix seconds,\"usd\":0 or more}): fix or remove it")
    }

    /// The local day or month a moment falls in, as `date` would print it.
    static func calendarKey(_ date: Date, _ period: Period) -> Int {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let month = Int(parts.tm_year) * 12 + Int(parts.tm_mon)
        return period == .day ? month * 32 + Int(parts.tm_mday) : month
    }
}
