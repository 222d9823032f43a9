import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Every key this process has read, and the one place output is scrubbed of them.
///
/// All of stdout goes through `RecordWriter` and all of stderr through `StandardError`, and
/// both pass every byte through `redact(bytes:)`: a key echoed by a server, quoted in an
/// error, or carried in by an input record never leaves the process. Pieces of a stream are
/// also held back by `SecretScrubber` while they could be the start of a key, since a key
/// split across two pieces is in no single write.
public enum Redactor {
    public static let mask = "[REDACTED]"
    static let maskBytes = Array(mask.utf8)

    /// Shorter values are placeholders (`ollama`, `none`): masking them would mangle
    /// ordinary text and protect nothing.
    public static let minimumLength = 8

    private static let registry = Mutex(SecretTable(secrets: []))

    /// Masks `secret` from now on, as written and as JSON writes it (a key holding `"`, `\`
    /// or a control character is escaped in a record, and would not match itself).
    public static func register(_ secret: String) {
        guard secret.utf8.count >= minimumLength else { return }
        var quoted = JSONValue.string(secret).serialized
        quoted.removeFirst()
        quoted.removeLast()
        let forms = Set([Array(secret.utf8), Array(quoted.utf8)])
        registry.withLock { table in
            let new = forms.filter { !table.secrets.contains($0) }
            guard !new.isEmpty else { return }
            table = SecretTable(secrets: table.secrets + new)
        }
    }

    static var table: SecretTable { registry.withLock { $0 } }

    public static func redact(_ text: String) -> String {
        let table = self.table
        guard !table.isEmpty, table.mayContainSecret(text.utf8) else { return text }
        return String(decoding: redact(bytes: Array(text.utf8), table: table), as: UTF8.self)
    }

    public static func redact(bytes: [UInt8]) -> [UInt8] {
        let table = self.table
        guard !table.isEmpty, table.mayContainSecret(bytes) else { return bytes }
        return redact(bytes: bytes, table: table)
    }

    static func redact(bytes: [UInt8], table: SecretTable) -> [UInt8] {
        var scrubber = SecretScrubber(table: table)
        var out = scrubber.feed(bytes: bytes)
        out.append(contentsOf: scrubber.finishBytes())
        return out
    }
}

/// The registered secrets, longest first (a key that contains another is masked whole),
/// with the bytes any of them can start with: text without such a byte needs no more work.
struct SecretTable: Sendable {
    let secrets: [[UInt8]]
    let starts: [Bool]

    init(secrets: [[UInt8]]) {
        self.secrets = secrets.sorted { $0.count > $1.count }
        var starts = [Bool](repeating: false, count: 256)
        for secret in secrets { starts[Int(secret[0])] = true }
        self.starts = starts
    }

    var isEmpty: Bool { secrets.isEmpty }

    func mayContainSecret(_ bytes: some Sequence<UInt8>) -> Bool {
        starts.withUnsafeBufferPointer { starts in
            bytes.withContiguousStorageIfAvailable { buffer in buffer.contains { starts[Int($0)] } }
                ?? bytes.contains { starts[Int($0)] }
        }
    }
}

/// Masks keys in text that arrives in pieces, correct for any split: a tail that could be
/// the start of a key is held back until the next piece shows whether it is one.
public struct SecretScrubber: Sendable {
    private let table: SecretTable
    private var secrets: [[UInt8]] { table.secrets }
    private var starts: [Bool] { table.starts }
    private var held: [UInt8] = []

    public init(secrets: [String]) {
        self.init(table: SecretTable(secrets: secrets.filter { $0.utf8.count >= Redactor.minimumLength }.map { Array($0.utf8) }))
    }

    /// Against every key registered so far.
    public init() { self.init(table: Redactor.table) }

    init(table: SecretTable) { self.table = table }

    public var isActive: Bool { !secrets.isEmpty }

    public mutating func feed(_ text: String) -> String {
        guard isActive, !held.isEmpty || table.mayContainSecret(text.utf8) else { return text }
        return String(decoding: feed(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// What can be released now; the rest waits for the next piece or `finish`.
    public mutating func feed(bytes input: [UInt8]) -> [UInt8] {
        guard isActive, !held.isEmpty || table.mayContainSecret(input) else { return input }
        let buffer = held.isEmpty ? input : held + input
        held.removeAll(keepingCapacity: true)
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count)
        buffer.withUnsafeBufferPointer { bytes in
            var i = 0
            var copied = 0
            scan: while i < bytes.count {
                guard starts[Int(bytes[i])] else { i += 1; continue }
                for secret in secrets {
                    let available = min(secret.count, bytes.count - i)
                    guard secret.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress! + i, available) == 0 }) else { continue }
                    out.append(contentsOf: bytes[copied..<i])
                    if available == secret.count {
                        out.append(contentsOf: Redactor.maskBytes)
                        i += secret.count
                        copied = i
                        continue scan
                    }
                    // The piece ends inside what may be this key: wait for more.
                    held.append(contentsOf: bytes[i...])
                    copied = bytes.count
                    break scan
                }
                i += 1
            }
            if copied < bytes.count { out.append(contentsOf: bytes[copied...]) }
        }
        return out
    }

    /// The end of the text: what was held back was not a key after all.
    public mutating func finish() -> String {
        String(decoding: finishBytes(), as: UTF8.self)
    }

    public mutating func finishBytes() -> [UInt8] {
        defer { held.removeAll() }
        return held
    }
}
