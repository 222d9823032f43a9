import Foundation
import LLMKit
import Testing
@testable import LLMServer

@Suite struct ServedUserTests {
    @Test func tokensAreSafeAndOneToOne() throws {
        #expect(try ServedUser.token("alice-01") == "alice-01")
        #expect(try ServedUser.token("") == "_anonymous")
        #expect(try ServedUser.token("..") == "_2E_2E")
        #expect(try ServedUser.token("../etc") == "_2E_2E_2Fetc")
        #expect(try ServedUser.token("a.b") != ServedUser.token("a_2Eb"))
        #expect(try ServedUser.token("$(rm -rf ~)").allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        #expect(throws: LLMError.self) { try ServedUser.token(String(repeating: "x", count: 257)) }
    }

    @Test func directoriesAreMadeAndASymlinkIsRefused() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("served-\(UUID().uuidString)").path
        let path = try ServedUser.directory(base + "/sessions/{user}", user: "alice")
        #expect(path == base + "/sessions/alice")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        try FileManager.default.createSymbolicLink(atPath: base + "/sessions/mallory", withDestinationPath: "/etc")
        #expect(throws: LLMError.self) { try ServedUser.directory(base + "/sessions/{user}", user: "mallory") }
    }
}

@Suite struct ServedUserCollisionTests {
    @Test func noUserIsNotTheUserNamedAnonymous() throws {
        #expect(try ServedUser.token("") != ServedUser.token("anonymous"))
    }

    @Test func aTokenNeverStartsWithADash() throws {
        #expect(try ServedUser.token("-rf").first != "-")
    }

    @Test func anIdThatWasNotUTF8IsRefused() {
        #expect(throws: LLMError.self) { try ServedUser.token("a\u{FFFD}") }
    }
}

@Suite struct ServedUserBoundTests {
    /// Any id within the limit makes a name a file system takes (NAME_MAX is 255 bytes),
    /// and ids that share a long prefix stay apart.
    @Test func aLongIdIsAReadablePrefixAndAHash() throws {
        let long = try ServedUser.token(String(repeating: "é", count: 128))
        #expect(long.utf8.count <= ServedUser.maxTokenLength + 1)
        #expect(long.hasPrefix("_C3_A9"))
        let near = try ServedUser.token(String(repeating: "é", count: 127) + "e")
        #expect(long != near)
        #expect(try ServedUser.token(String(repeating: "é", count: 128)) == long)
        // A hashed name holds a `.`, which no whole token does: the two kinds never meet.
        let alice = try ServedUser.token("alice")
        #expect(long.contains(".") && !alice.contains("."))
        // The cut never leaves half an escape before the hash.
        for count in 60...70 {
            let token = try ServedUser.token(String(repeating: "a", count: count) + String(repeating: "/", count: 40))
            let prefix = token.split(separator: ".").first ?? ""
            #expect(!prefix.hasSuffix("_") && !(prefix.dropLast().hasSuffix("_")), "\(token)")
        }
    }

    @Test func withoutAKeyOnlyALoopbackClientNamesItsUser() {
        #expect(ServedUser.identity(boundUser: nil, keyed: false, loopback: true, header: "alice", body: "bob") == "alice")
        #expect(ServedUser.identity(boundUser: nil, keyed: false, loopback: true, header: nil, body: "bob") == "bob")
        #expect(ServedUser.identity(boundUser: nil, keyed: false, loopback: false, header: "alice", body: "bob") == "")
        #expect(ServedUser.identity(boundUser: nil, keyed: true, loopback: false, header: "alice", body: nil) == "alice")
        #expect(ServedUser.identity(boundUser: "carol", keyed: true, loopback: true, header: "alice", body: "bob") == "carol")
    }
}
