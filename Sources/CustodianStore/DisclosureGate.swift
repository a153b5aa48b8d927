import CustodianCore
import Foundation
import Logging
import PostgresNIO

/// The lock a disclosure holds while its outgoing call runs: one transaction that locks the subject `FOR KEY SHARE`
/// (found by `subjectQuery`, which selects the subject's id), runs `disclose` on the same connection, and commits what
/// it recorded. Restriction and erasure lock the subject `FOR UPDATE`, so they wait for a disclosure in flight, and a
/// disclosure that starts after they commit sees the new status. `outgoingTime` lengthens the operation deadline.
enum DisclosureGate {
    static func run<Result: Sendable>(
        database: Database, outgoingTime: Duration, subjectQuery: PostgresQuery,
        _ disclose: @escaping @Sendable (PostgresConnection, Logger) async throws -> Result
    ) async throws -> Result {
        try await database.transaction(extraTime: outgoingTime) { connection in
            var lock = subjectQuery
            lock.sql = "SELECT 1 FROM subjects WHERE id = (\(subjectQuery.sql)) FOR KEY SHARE"
            try await connection.query(lock, logger: database.logger)
            return try await disclose(connection, database.logger)
        }
    }

}
