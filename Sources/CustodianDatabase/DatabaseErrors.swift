import PostgresNIO

/// The database did not answer in time, or the connection to it failed.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    /// How long the caller waited; nil when the connection failed outright.
    public let waited: Duration?

    public init(waited: Duration?) {
        self.waited = waited
    }

    public var description: String {
        waited.map { "the database did not answer within \($0)" } ?? "the connection to the database failed"
    }
}

/// A lock or statement timeout: the database is busy with this data, not broken.
public struct DatabaseBusy: Error, CustomStringConvertible {
    public let sqlState: String

    public var description: String { "the database is busy (SQLSTATE \(sqlState))" }
}

/// The server refused a statement. Only its SQLSTATE and constraint travel, never the server's message, which can
/// quote the values.
public struct DatabaseFailure: Error, CustomStringConvertible {
    public let sqlState: String
    public let constraint: String?

    public var description: String { "the database refused a statement (SQLSTATE \(sqlState)\(constraint.map { ", constraint \($0)" } ?? ""))" }

    /// A unique constraint rejected the write.
    public var isUniqueViolation: Bool { sqlState == PostgresError.Code.uniqueViolation.raw }
    /// A foreign key still refers to the row.
    public var isForeignKeyViolation: Bool { sqlState == PostgresError.Code.foreignKeyViolation.raw }
}

/// The one place the driver's errors become the failures callers act on: every ``Database`` operation throws these,
/// and the API maps whatever reaches it (a row stream can still fail after its operation returned) through here.
public enum DatabaseErrors {
    public static func translate(_ error: any Error) -> any Error {
        guard let psql = error as? PSQLError else { return error }
        guard let state = psql.serverInfo?[.sqlState] else { return DatabaseUnavailable(waited: nil) }
        if state == PostgresError.Code.lockNotAvailable.raw || state == PostgresError.Code.queryCanceled.raw {
            return DatabaseBusy(sqlState: state)
        }
        return DatabaseFailure(sqlState: state, constraint: psql.serverInfo?[.constraintName])
    }
}
