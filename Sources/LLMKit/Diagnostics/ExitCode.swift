/// The exit statuses every llmkit tool shares (sysexits, so scripts and cron can branch).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// The tool ran and its check says no (a probe target down, a budget exceeded).
    case checkFailed = 1
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case software = 70
    case ioError = 74
    case temporaryFailure = 75
    case permission = 77
    case configuration = 78
    case interrupted = 130
}
