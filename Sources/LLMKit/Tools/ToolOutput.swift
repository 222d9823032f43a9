/// A tool's answer, as the model will read it.
public struct ToolOutput: Sendable {
    public var content: String
    public var truncated = false
    public var exitStatus: Int32?
    public var isError = false

    public init(content: String, truncated: Bool = false, exitStatus: Int32? = nil, isError: Bool = false) {
        self.content = content
        self.truncated = truncated
        self.exitStatus = exitStatus
        self.isError = isError
    }

    /// Text cut to `limit` bytes (on a character boundary), with the cut marked.
    public static func text(_ text: String, limit: Int) -> ToolOutput {
        guard text.utf8.count > limit else { return ToolOutput(content: text) }
        // Masked before it is cut, so that half a key does not survive the cut.
        let text = Redactor.redact(text)
        var kept = String(decoding: text.utf8.prefix(limit), as: UTF8.self)
        // A character cut in half decodes as U+FFFD; drop it rather than show it.
        if kept.last == "\u{FFFD}" { kept.removeLast() }
        return ToolOutput(content: kept + "\n[output truncated at \(limit) bytes]", truncated: true)
    }

    /// A finished process: its output, or why it failed. Binary output is described, not
    /// passed on: the model could not read it and the record must stay valid text.
    init(process result: ChildProcess.Result, timeout: Double, limit: Int) {
        let stdout = Self.readable(result.stdout, limit: limit)
        if result.timedOut {
            self.init(content: "the tool timed out after \(Self.seconds(timeout)) s and was stopped" + (stdout.isEmpty ? "" : "; output so far:\n" + stdout),
                      truncated: result.truncated, exitStatus: nil, isError: true)
            return
        }
        if let signal = result.signal {
            self.init(content: "the tool was killed by signal \(signal)", truncated: result.truncated, isError: true)
            return
        }
        let status = result.exitStatus ?? -1
        var content = stdout
        if status != 0 {
            let stderr = Self.readable(result.stderr, limit: limit)
            content = "the tool failed with exit status \(status)" + (stderr.isEmpty ? "" : ":\n" + stderr) + (stdout.isEmpty ? "" : "\n" + stdout)
        }
        if result.truncated { content += "\n[output truncated at \(limit) bytes]" }
        self.init(content: content, truncated: result.truncated, exitStatus: status, isError: status != 0)
    }

    /// Text of at most `limit` bytes, masked before it is cut. A character the reader cut
    /// in half at the end is dropped, not taken for binary output.
    static func readable(_ bytes: [UInt8], limit: Int) -> String {
        var bytes = bytes
        for _ in 0..<3 where String(validating: bytes, as: UTF8.self) == nil && bytes.count > limit { bytes.removeLast() }
        guard !bytes.contains(0), let whole = String(validating: bytes, as: UTF8.self) else {
            return "[binary output, \(bytes.count) bytes, not shown]"
        }
        var text = Redactor.redact(whole)
        if text.utf8.count > limit {
            text = String(decoding: text.utf8.prefix(limit), as: UTF8.self)
            if text.last == "\u{FFFD}" { text.removeLast() }
        }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    public static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
