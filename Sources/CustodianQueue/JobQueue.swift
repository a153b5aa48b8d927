import Foundation
import Logging
import PostgresNIO

/// The job table's write side for the domain. Every change enqueues on the connection of its own transaction
/// (transactional outbox), so a change and the jobs it causes commit or roll back together, and workers are woken by
/// NOTIFY at commit. A job may name the data subject it concerns, so that the domain can hold, release or cancel a
/// subject's jobs; the queue attaches no meaning to it.
public enum JobQueue {
    /// The LISTEN/NOTIFY channel that wakes workers; PostgreSQL folds identical notifications of one transaction.
    public static let notificationChannel = "custodian_jobs"

    /// Enqueues a job of `kind` inside the caller's transaction; returns its id, or nil when a live job (available,
    /// running or held) with the same unique key already exists.
    @discardableResult
    public static func enqueue<Kind: JobKind>(
        _ kind: Kind.Type, _ payload: Kind.Payload, uniqueKey: String? = nil, priority: Int16 = 0, subjectID: UUID? = nil,
        on connection: PostgresConnection, logger: Logger
    ) async throws -> Int64? {
        let encoded = String(decoding: try payloadEncoder.encode(payload), as: UTF8.self)
        let statement = JobEnqueueStatement(
            kind: Kind.name, payload: encoded, uniqueKey: uniqueKey, priority: priority, maximumAttempts: Kind.maximumAttempts, subjectID: subjectID)
        return try await connection.execute(statement, logger: logger).first(where: { _ in true })?.decode(Int64.self)
    }

    /// Wakes the workers of `kinds` when the caller's transaction commits.
    public static func notify(kinds: [String], on connection: PostgresConnection, logger: Logger) async throws {
        guard !kinds.isEmpty else { return }
        try await connection.query("SELECT pg_notify(\(notificationChannel), kind) FROM unnest(\(kinds)::text[]) AS kind", logger: logger)
    }

    /// Parks the subject's available jobs of `kinds` until ``release(subjectID:on:logger:)``.
    public static func hold(subjectID: UUID, kinds: [String], on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            UPDATE jobs SET state = 'held', updated_at = now() WHERE subject_id = \(subjectID) AND state = 'available' AND kind = ANY(\(kinds))
            """, logger: logger)
    }

    /// Makes the subject's held jobs available now and wakes their workers.
    public static func release(subjectID: UUID, on connection: PostgresConnection, logger: Logger) async throws {
        let kinds = try await connection.query("""
            WITH released AS (
                UPDATE jobs SET state = 'available', run_at = now(), updated_at = now() WHERE subject_id = \(subjectID) AND state = 'held'
                RETURNING kind
            )
            SELECT DISTINCT kind FROM released
            """, logger: logger).decode(String.self).reduce(into: [String]()) { $0.append($1) }
        try await notify(kinds: kinds, on: connection, logger: logger)
    }

    /// Cancels the subject's jobs of `kinds` that have not started (available or held); returns their ids by kind.
    /// The caller settles what they served.
    public static func cancelPending(
        subjectID: UUID, kinds: [String], reason: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(id: Int64, kind: String)] {
        try await connection.query("""
            UPDATE jobs SET state = 'cancelled', last_error = \(reason), lease_owner = NULL, lease_expires_at = NULL,
                finished_at = now(), updated_at = now()
            WHERE subject_id = \(subjectID) AND state IN ('available', 'held') AND kind = ANY(\(kinds))
            RETURNING id, kind
            """, logger: logger).decode((Int64, String).self).reduce(into: []) { $0.append((id: $1.0, kind: $1.1)) }
    }

    /// Sorted keys, so a payload's text is stable.
    static var payloadEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
