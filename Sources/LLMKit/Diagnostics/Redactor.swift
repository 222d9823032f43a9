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

    private static let registry = Mutex<[[UInt8]]>([])

    public static func register(_ secret: String) {
        guard secret.utf8.count >= minimumLength else { return }
        let bytes = Array(secret.utf8)
        registry.withLock { list in
            guard !list.contains(bytes) else { return }
            list.append(bytes)
            // Longest first: a key that contains another is masked whole.
            list.sort { $0.count > $1.count }
        }
    }

    public static var secrets: [[UInt8]] { registry.withLock { $0 } }

    public static func redact(_ text: String) -> String {
        let list = secrets
        guard !list.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let clean = redact(bytes: bytes, secrets: list)
        return clean == bytes ? text : String(decoding: clean, as: UTF8.self)
    }

    public static func redact(bytes: [UInt8]) -> [UInt8] {
        let list = secrets
        return list.isEmpty ? bytes : redact(bytes: bytes, secrets: list)
    }

    static func redact(bytes: [UInt8], secrets: [[UInt8]]) -> [UInt8] {
        var scrubber = SecretScrubber(secretBytes: secrets)
        var out = scrubber.feed(bytes: bytes)
        out.append(contentsOf: scrubber.finishBytes())
        return out
    }
}

/// Masks keys in text that arrives in pieces, correct for any split: a tail that could be
/// the start of a key is held back until the next piece shows whether it is one.
public struct SecretScrubber: Sendable {
    private let secrets: [[UInt8]]
    /// The first byte of any secret: bytes that cannot start one are copied in bulk.
    private let starts: [Bool]
    private var held: [UInt8] = []

    public init(secrets: [String]) {
        self.init(secretBytes: secrets.filter { $0.utf8.count >= Redactor.minimumLength }.map { Array($0.utf8) }.sorted { $0.count > $1.count })
    }

    /// Against every key registered so far.
    public init() { self.init(secretBytes: Redactor.secrets) }

    init(secretBytes: [[UInt8]]) {
        secrets = secretBytes
        var starts = [Bool](repeating: false, count: 256)
        for secret in secretBytes { starts[Int(secret[0])] = true }
        self.starts = starts
    }

    public var isActive: Bool { !secrets.isEmpty }

    public mutating func feed(_ text: String) -> String {
        guard isActive else { return text }
        return String(decoding: feed(bytes: Array(text.utf8)), as: UTF8.self)
    }

    /// What can be released now; the rest waits for the next piece or `finish`.
    public mutating func feed(bytes input: [UInt8]) -> [UInt8] {
        guard isActive else { return input }
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
