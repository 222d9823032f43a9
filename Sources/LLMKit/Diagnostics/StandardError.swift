/// Diagnostics go to stderr, never stdout: stdout carries only records.
public enum StandardError {
    public static func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            _ = FileDescriptorIO.writeAll(2, UnsafeRawBufferPointer(buffer))
        }
    }

    /// One line, prefixed with the tool's name, as Unix tools do.
    public static func report(_ tool: String, _ message: String) {
        write("\(tool): \(message)\n")
    }
}
