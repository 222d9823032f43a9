/// Diagnostics go to stderr, never stdout: stdout carries only records. Every byte passes
/// the redactor here, so no message anywhere needs to remember to.
public enum StandardError {
    public static func write(_ text: String) {
        let bytes = Redactor.redact(bytes: Array(text.utf8))
        bytes.withUnsafeBytes { _ = FileDescriptorIO.writeAll(2, $0) }
    }

    /// One line, prefixed with the tool's name, as Unix tools do.
    public static func report(_ tool: String, _ message: String) {
        write("\(tool): \(message)\n")
    }
}
