#if canImport(Glibc)
import Glibc
#endif

/// A cursor over JSON bytes that can skip values without building them.
///
/// For hot paths that need a few fields of a large, well-known document: skipping costs a
/// pass over the bytes and no allocation. Any surprise returns `nil`, and the caller falls
/// back to `JSONParser`, which also gives the precise error.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// Consumes `byte` (after whitespace) if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// The raw bytes of a string literal, quotes excluded, escapes left as written.
    mutating func rawString() -> Range<Int>? {
        skipWhitespace()
        guard current == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        let base = bytes.baseAddress!
        while index < bytes.count {
            guard let hit = memchr(base + index, 0x22, bytes.count - index) else { return nil }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            // A quote preceded by an odd number of backslashes is escaped.
            var backslashes = 0
            while quote - backslashes - 1 >= start, bytes[quote - backslashes - 1] == UInt8(ascii: "\\") { backslashes += 1 }
            index = quote + 1
            if backslashes % 2 == 0 { return Self.isValidLiteral(UnsafeBufferPointer(rebasing: bytes[start..<quote])) ? start..<quote : nil }
        }
        return nil
    }

    /// What the parser would accept inside quotes: no raw control byte, valid UTF-8, and
    /// escapes it can read. The scanner may refuse more than the parser (the full parse
    /// then decides), never less.
    private static func isValidLiteral(_ body: UnsafeBufferPointer<UInt8>) -> Bool {
        var plain = true
        for byte in body {
            if byte < 0x20 { return false }
            if byte >= 0x80 || byte == UInt8(ascii: "\\") { plain = false }
        }
        if plain { return true }
        var literal = [UInt8(ascii: "\"")]
        literal.append(contentsOf: body)
        literal.append(UInt8(ascii: "\""))
        return (try? JSONParser.parse(literal)) != nil && String(validating: body, as: UTF8.self) != nil
    }

    /// A string value, decoded (escapes and surrogate pairs by `JSONParser`).
    mutating func string() -> String? {
        guard let range = rawString() else { return nil }
        let literal = UnsafeBufferPointer(rebasing: bytes[(range.lowerBound - 1)...range.upperBound])
        if !literal.contains(UInt8(ascii: "\\")) {
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        return (try? JSONParser.parse(literal))?.stringValue
    }

    /// `null`, consumed, or `false` if something else is next.
    mutating func null() -> Bool {
        skipWhitespace()
        guard index + 4 <= bytes.count, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l")
        else { return false }
        index += 4
        return true
    }

    /// Skips one value of any kind; `false` if the bytes are not JSON.
    /// A skipped container or scalar is checked by the parser (skips are rare in ordinary
    /// chunks, and scalars short): the scanner must never accept what the parser refuses.
    mutating func skipValue() -> Bool {
        skipWhitespace()
        let start = index
        guard skipRoughly() else { return false }
        if bytes[start] == UInt8(ascii: "\"") { return true }  // checked by rawString
        return (try? JSONParser.parse(Array(bytes[start..<index]))) != nil
    }

    /// Finds where a value ends without checking what lies between.
    private mutating func skipRoughly() -> Bool {
        guard let byte = current else { return false }
        switch byte {
        case UInt8(ascii: "\""): return rawString() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard rawString() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return true
                    }
                default: break
                }
                index += 1
            }
            return false
        default:
            // A number or a literal: runs to the next delimiter.
            while index < bytes.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) {
                index += 1
            }
            return true
        }
    }

    /// Iterates an object's members: `body` gets each key (raw bytes) with the cursor on
    /// its value, and must consume the value. Returns `false` on malformed input or when
    /// `body` returns `false`.
    /// A key that appears twice makes the object malformed here: readers disagree on which
    /// one counts (the parser keeps the last), so the full parse decides.
    mutating func members(_ body: (inout JSONScanner, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        var seen: [Range<Int>] = []
        repeat {
            guard let key = rawString(), take(UInt8(ascii: ":")) else { return false }
            let name = UnsafeBufferPointer(rebasing: bytes[key])
            guard !seen.contains(where: { UnsafeBufferPointer(rebasing: bytes[$0]).elementsEqual(name) }) else { return false }
            seen.append(key)
            guard body(&self, name) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }
}

extension UnsafeBufferPointer<UInt8> {
    func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && (count == 0 || memcmp(baseAddress!, text.utf8Start, count) == 0)
    }
}
