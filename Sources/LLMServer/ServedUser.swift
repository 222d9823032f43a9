#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import LLMKit

/// Who a request is for, as a token safe in a path segment, an environment variable and an
/// unquoted shell word: letters, digits and `-` stay, every other byte becomes `_HH`. The
/// escape is one-to-one, so two users never share a token (and so a directory), and a
/// token is never `.`, `..` or empty, never holds `/` and never starts with `-`. A long
/// escape is cut to a readable prefix and a hash of the whole id, so that every id within
/// the limit makes a name a file system takes.
public enum ServedUser {
    /// Requests that name no user share this one, which no id escapes to (an escape is `_`
    /// and two uppercase hex digits), so no user can claim it by name.
    public static let anonymous = "_anonymous"
    /// Longer identities are refused, not cut: a cut could make two users one.
    public static let maxLength = 256

    /// Who a request is for, before it is made a token. A key bound to a user is that user;
    /// otherwise the user header, then the body's `user`, name one, but only when a key
    /// vouches for the client (a front end such as Open WebUI) or, with no keys at all, when
    /// the client is on this machine. Anyone else is anonymous.
    static func identity(boundUser: String?, keyed: Bool, loopback: Bool, header: String?, body: String?) -> String {
        if let boundUser { return boundUser }
        guard keyed || loopback else { return "" }
        return header ?? body ?? ""
    }

    public static func token(_ identity: String) throws(LLMError) -> String {
        guard !identity.isEmpty else { return anonymous }
        guard identity.utf8.count <= maxLength else {
            throw LLMError(.invalidInput, "the user id is longer than \(maxLength) bytes")
        }
        // Bytes that were not UTF-8 arrive as U+FFFD: different ids would become one.
        guard !identity.unicodeScalars.contains("\u{FFFD}") else {
            throw LLMError(.invalidInput, "the user id is not valid UTF-8")
        }
        let token = escaped(identity)
        guard token.utf8.count > maxTokenLength else { return token }
        // The prefix stops before a cut escape; the `.` no escape holds keeps hashed names
        // apart from whole ones, and 128 bits of SHA-256 keep them apart from each other.
        var prefix = token.prefix(hashedPrefixLength)
        if let escape = prefix.suffix(2).firstIndex(of: "_") { prefix = prefix[..<escape] }
        let digest = SHA256.hash(data: Array(identity.utf8)).prefix(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        return prefix + "." + digest
    }

    /// The longest token kept whole; longer ones are a prefix and a hash (64 + 1 + 32 bytes).
    static let maxTokenLength = 96
    static let hashedPrefixLength = 64

    private static func escaped(_ identity: String) -> String {
        var token = ""
        for byte in identity.utf8 {
            switch byte {
            case UInt8(ascii: "-") where token.isEmpty:
                token += "_2D"
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                token.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                token += "_" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return token
    }

    /// The agent's working directory for this user, made (mode 0700) if it is not there.
    /// Below the configured part, every directory must be a real one: a symlink planted
    /// there would lead one user's files into another's.
    public static func directory(_ template: String, user token: String) throws(LLMError) -> String {
        let segments = template.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let first = segments.firstIndex(of: AgentsFile.userPlaceholder) ?? segments.count
        var path = ""
        for (index, segment) in segments.enumerated() {
            path += "/" + (segment == AgentsFile.userPlaceholder ? token : segment)
            try makeDirectory(path, checked: index >= first)
        }
        return path
    }

    private static func makeDirectory(_ path: String, checked: Bool) throws(LLMError) {
        if mkdir(path, checked ? 0o700 : 0o755) != 0, errno != EEXIST {
            throw LLMError(.ioError, "cannot make the working directory \(path): \(FileDescriptorIO.errorDescription(errno))")
        }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw LLMError(.ioError, "cannot use the working directory \(path): \(FileDescriptorIO.errorDescription(errno))")
        }
        let type = info.st_mode & S_IFMT
        if checked ? type != S_IFDIR : (type != S_IFDIR && type != S_IFLNK) {
            throw LLMError(.ioError, "the working directory \(path) is not a directory" + (type == S_IFLNK ? " but a symlink: refused" : ""))
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
