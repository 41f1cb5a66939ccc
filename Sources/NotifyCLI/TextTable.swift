import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Columns for a terminal: a header, every column but the last padded to its widest cell. The
/// last column (free text such as a summary) is never padded, so a long one cannot push the
/// others out of line; on a terminal it is cut to the terminal's width.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func append(_ cells: [String]) { rows.append(cells) }

    func lines(width: Int? = TextTable.terminalWidth()) -> [String] {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            var line = ""
            for (column, cell) in cells.enumerated() {
                if column == cells.count - 1 {
                    line += cell
                } else {
                    line += cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
                }
            }
            if let width, line.count > width { line = String(line.prefix(max(width - 1, 0))) + "…" }
            return line
        }
    }

    /// The terminal's width when standard output is one; nil when it goes to a file or a pipe
    /// (nothing is cut there).
    static func terminalWidth() -> Int? {
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
