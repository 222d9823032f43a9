/// Diagnostics go to stderr, never stdout: stdout carries only records. Every byte passes
/// the redactor here, so no message anywhere needs to remember to.
public enum StandardError {
    /// Text for a person (`--show`): line breaks kept, escape sequences shown, not obeyed.
    public static func write(_ text: String) {
        writeRaw(TerminalText.escaped(text, keepingLineBreaks: true))
    }

    /// One line, prefixed with the tool's name, as Unix tools do. The message quotes what
    /// servers, records and models said: any control character in it is shown escaped.
    public static func report(_ tool: String, _ message: String) {
        writeRaw("\(tool): \(TerminalText.escaped(message))\n")
    }

    /// A progress line for a terminal, redrawn in place: our own carriage return and
    /// erase-line, then the text with any control characters in it shown escaped.
    public static func progress(_ line: String) {
        writeRaw("\r\u{1B}[K" + TerminalText.escaped(line))
    }

    private static func writeRaw(_ text: String) {
        let bytes = Redactor.redact(bytes: Array(text.utf8))
        bytes.withUnsafeBytes { _ = FileDescriptorIO.writeAll(2, $0) }
    }
}
