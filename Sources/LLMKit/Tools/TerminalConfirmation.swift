import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// `--confirm`: asks on the terminal (not stdin, which carries the conversation) before
/// each tool call. No terminal means no one can say yes: the call is refused.
public enum TerminalConfirmation {
    private static let lock = Mutex(())

    public static func ask(_ call: ToolCall) -> Bool {
        lock.withLock { _ in
            let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            let prompt = "llm-tools: run \(TerminalText.escaped(call.name)) \(TerminalText.escaped(call.arguments))? [y/N] "
            _ = Array(prompt.utf8).withUnsafeBytes { FileDescriptorIO.writeAll(fd, $0) }
            var answer: [UInt8] = []
            var byte: UInt8 = 0
            while read(fd, &byte, 1) == 1, byte != 0x0A { answer.append(byte) }
            let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
            return text == "y" || text == "yes"
        }
    }
}
