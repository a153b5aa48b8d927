import CustodianQueue
import Foundation
import Logging
import PostgresNIO

/// Keeps the record a job serves — a shipment, an erasure request, a rectification notice — in step with the job's
/// fate: a job that failed without its handler fails its pending record with the reason; a cancelled job cancels it
/// (clearing the identities it held, when it holds any); a retried job makes its failed record pending again.
struct ServedRecordLifecycle: JobLifecycle {
    /// The record's table: a fixed identifier of this module's.
    let table: String
    /// What the cancellation reason calls the job: "the \(noun) job was cancelled".
    let noun: String
    /// Whether the record carries the identities it will send (`identities` column), which a cancellation clears and
    /// without which a retry cannot send.
    let holdsIdentities: Bool
    /// What settles when records of this table are cancelled (the subject requests waiting on them).
    var settled: (@Sendable ([UUID], PostgresConnection, Logger) async throws -> Void)?

    func failed(jobIDs: [Int64], reason: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE \(unescaped: table) SET status = 'failed', failure_reason = \(reason), updated_at = now()
            WHERE status = 'pending' AND job_id = ANY(\(jobIDs))
            """, logger: logger)
    }

    func cancelled(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        let ids = try await connection.query("""
            UPDATE \(unescaped: table) SET status = 'cancelled', failure_reason = \("the \(noun) job was cancelled"), updated_at = now()
                \(unescaped: holdsIdentities ? ", identities = NULL" : "")
            WHERE job_id = \(jobID) AND status IN (\(unescaped: holdsIdentities ? "'pending', 'failed'" : "'pending'"))
            RETURNING id
            """, logger: logger).decode(UUID.self).reduce(into: [UUID]()) { $0.append($1) }
        try await settled?(ids, connection, logger)
    }

    func retried(jobID: Int64, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE \(unescaped: table) SET status = 'pending', failure_reason = NULL, updated_at = now()
            WHERE job_id = \(jobID) AND status = 'failed' \(unescaped: holdsIdentities ? "AND identities IS NOT NULL" : "")
            """, logger: logger)
    }
}
