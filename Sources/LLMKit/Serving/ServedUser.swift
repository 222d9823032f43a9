#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Who a request is for, as a token safe in a path segment, an environment variable and an
/// unquoted shell word: letters, digits and `-` stay, every other byte becomes `_HH`. The
/// escape is one-to-one, so two users never share a token (and so a directory), and a
/// token is never `.`, `..` or empty, never holds `/` and never starts with `-`.
public enum ServedUser {
    /// Requests that name no user share this one, which no id escapes to (an escape is `_`
    /// and two uppercase hex digits), so no user can claim it by name.
    public static let anonymous = "_anonymous"
    /// Longer identities are refused, not cut: a cut could make two users one.
    public static let maxLength = 256

    public static func token(_ identity: String) throws(LLMError) -> String {
        guard !identity.isEmpty else { return anonymous }
        guard identity.utf8.count <= maxLength else {
            throw LLMError(.invalidInput, "the user id is longer than \(maxLength) bytes")
        }
        // Bytes that were not UTF-8 arrive as U+FFFD: different ids would become one.
        guard !identity.unicodeScalars.contains("\u{FFFD}") else {
            throw LLMError(.invalidInput, "the user id is not valid UTF-8")
        }
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
