import LLMKit

/// A titled two-column section of a command's discussion, such as its exit statuses.
///
/// `--help` prints it as written; `scripts/manpage.py` reads the same text from
/// `--experimental-dump-help` and turns the titles it knows (Exit status, Environment, Files)
/// into those man page sections, one list item per row, so the two cannot drift apart.
public struct HelpTable: Sendable {
    public struct Row: Sendable {
        public let term: String
        public let text: String

        public init(_ term: String, _ text: String) {
            self.term = term
            self.text = text
        }
    }

    public let title: String
    public let rows: [Row]
    /// Said after the rows, as a paragraph of the same section.
    public let note: String?

    public init(_ title: String, _ rows: [Row], note: String? = nil) {
        self.title = title
        self.rows = rows
        self.note = note
    }

    /// The exit statuses a tool can end with, each with what it means for that tool.
    public static func exitStatus(_ rows: [(ExitStatus, String)], note: String? = nil) -> HelpTable {
        HelpTable("Exit status", rows.map { Row(String($0.0.rawValue), $0.1) }, note: note)
    }

    /// The text of the section: the title, then each row with its terms aligned.
    public var text: String {
        let width = rows.reduce(0) { max($0, $1.term.count) }
        var text = title + ":"
        for row in rows {
            text += "\n  " + row.term + String(repeating: " ", count: width - row.term.count + 2) + row.text
        }
        if let note { text += "\n" + note }
        return text
    }
}
