/// A stored value notify cannot read: which table, which row, which column, and what was found.
/// Thrown instead of reading a default, so that a damaged row stops what needs it, loudly, rather
/// than paging from a made-up value (a due time of 1970 reads as "due now").
public struct StoreDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var table: String
    public var column: String
    /// The row's id (or key), when it could be read.
    public var row: String?
    /// What was wrong: `missing`, `expected a number, found text "oops"`.
    public var problem: String

    public init(table: String, column: String, row: String? = nil, problem: String) {
        self.table = table
        self.column = column
        self.row = row
        self.problem = problem
    }

    public var description: String {
        "state store: \(table)" + (row.map { " row \($0)" } ?? "") + ", column \(column): \(problem)"
    }
}
