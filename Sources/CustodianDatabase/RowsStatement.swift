import PostgresNIO

/// A prepared statement (see ``Database/execute(_:)``) whose rows its caller decodes, with bindings made when it is
/// built. For a repository's hot reads: PostgreSQL parses and plans a prepared statement once per connection instead
/// of on every request. Give each a short explicit `name`: PostgreSQL cuts names at 63 bytes, and the default (the
/// type's full name) can be longer.
public protocol RowsStatement: PostgresPreparedStatement where Row == PostgresRow {
    /// The values for the statement's parameters, in order.
    var bindings: PostgresBindings { get }
}

extension RowsStatement {
    public func makeBindings() -> PostgresBindings { bindings }

    public func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

extension PostgresBindings {
    /// The bindings of a statement with one parameter, $1.
    public static func one(_ value: some PostgresNonThrowingEncodable) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(value)
        return bindings
    }
}
