import PostgresNIO

/// The rows of one statement, every one read within the statement's operation deadline. An async sequence of
/// `PostgresRow`, so that PostgresNIO's `decode(_:)` and `for try await` read it as they read a `PostgresRowSequence`.
public struct FetchedRows: AsyncSequence, Sendable {
    public typealias Element = PostgresRow

    /// The rows in the order PostgreSQL sent them.
    public let rows: [PostgresRow]

    init(_ rows: [PostgresRow]) {
        self.rows = rows
    }

    /// The rows, as `PostgresRowSequence.collect()` gives them.
    public func collect() -> [PostgresRow] {
        rows
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: rows.makeIterator())
    }

    /// Hands out the rows already read.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: IndexingIterator<[PostgresRow]>

        public mutating func next() async throws -> PostgresRow? {
            remaining.next()
        }
    }
}
