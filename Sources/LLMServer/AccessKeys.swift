import Foundation
import LLMKit

/// The bearer keys a client may present. A key may be bound to a user: then whoever holds
/// it is that user, whatever the headers or body say. An unbound key is a trusted front
/// end's (Open WebUI's), which names its users in headers.
public struct AccessKeys: Sendable {
    public struct Key: Sendable {
        let secret: [UInt8]
        public var user: String?
    }

    public private(set) var keys: [Key] = []
    public var isEmpty: Bool { keys.isEmpty }

    public init() {}

    /// Shorter keys are refused: guessable, and too short for the redactor to mask.
    public static let minimumLength = 16

    public mutating func add(_ secret: String, user: String? = nil) throws(LLMError) {
        guard secret.utf8.count >= Self.minimumLength else {
            throw LLMError(.configuration, "a key must be at least \(Self.minimumLength) characters (e.g. openssl rand -hex 24)")
        }
        keys.append(Key(secret: Array(secret.utf8), user: user))
        Redactor.register(secret)
    }

    /// A keys file: one key per line, optionally followed by the user it belongs to; blank
    /// lines and `#` comments are skipped. A file others may read is refused, as ssh does.
    public mutating func load(file path: String) throws(LLMError) {
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else {
            throw LLMError(.configuration, "cannot read keys file \(path)")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw LLMError(.configuration, "keys file \(path) may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 600 it")
        }
        let before = keys.count
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            guard fields.count <= 2 else { throw LLMError(.configuration, "keys file \(path) line \(number + 1): a key and at most a user, nothing more") }
            try add(String(first), user: fields.count == 2 ? String(fields[1]) : nil)
        }
        guard keys.count > before else { throw LLMError(.configuration, "keys file \(path) holds no key") }
    }

    /// The key `authorization` presents, compared with every key in constant time: how long
    /// the answer takes says nothing about how much of a key was right.
    public func match(authorization: String?) -> Key? {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else { return nil }
        let presented = Array(authorization.utf8.dropFirst(7))
        var found: Key?
        for key in keys where Self.constantTimeEqual(presented, key.secret) && found == nil {
            found = key
        }
        return found
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
