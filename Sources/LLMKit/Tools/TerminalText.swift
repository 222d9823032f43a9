/// Text from a model or a server, made safe to show on a terminal.
///
/// A tool name or argument can carry escape sequences that clear the line, move the cursor
/// or retitle the window: shown raw in a `--confirm` prompt, they can repaint what the user
/// is approving. Every control character (C0, DEL, C1) and every bidirectional override is
/// shown as an escape instead, so what is on the screen is what will run.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F:
                out += "\\x" + hex(scalar.value, width: 2)
            case 0x80..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + hex(scalar.value, width: 2) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
