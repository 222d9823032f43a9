/// Text from a model or a server, made safe to show on a terminal.
///
/// A tool name or argument can carry escape sequences that clear the line, move the cursor
/// or retitle the window: shown raw in a `--confirm` prompt, they can repaint what the user
/// is approving. Every control character (C0, DEL, C1) and every bidirectional override is
/// shown as an escape instead, so what is on the screen is what will run. Every diagnostic
/// line on stderr passes here too: it quotes servers, records and models.
public enum TerminalText {
    /// With `keepingLineBreaks`, newlines and tabs stay as they are (text a person watches,
    /// `--show`); everything else that moves the cursor or hides text is escaped.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingLineBreaks, 0x09 where keepingLineBreaks: out.unicodeScalars.append(scalar)
            case 0x1B: out += "\\e"
            case 0x0D: out += "\\r"
            case 0x0A: out += "\\n"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F:
                out += "\\x" + hex(scalar.value, width: 2)
            case _ where needsEscape(scalar):
                out += "\\u{" + hex(scalar.value, width: 2) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Controls (C0, DEL, C1), bidirectional marks and overrides, invisible joiners and
    /// separators, line and paragraph separators, the byte order mark.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00..<0x20, 0x7F..<0xA0, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2069, 0xFEFF: return true
        default: return false
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
