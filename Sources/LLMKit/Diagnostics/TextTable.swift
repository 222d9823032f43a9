/// Rows laid out for a person: columns two spaces apart, each as wide as its widest cell.
/// The last column is left unpadded (no trailing spaces) unless it is right-aligned.
public enum TextTable {
    /// `rightAligned`: columns of numbers, padded on the left.
    public static func lines(_ rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in
                if rightAligned.contains(i) { return String(repeating: " ", count: widths[i] - cell.count) + cell }
                return i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// The lines joined, each ending in a line feed.
    public static func render(_ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        lines(rows, rightAligned: rightAligned).joined(separator: "\n") + "\n"
    }
}
